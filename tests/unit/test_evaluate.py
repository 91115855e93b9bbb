"""Metrics: Wilson interval, macro-F1, confusion matrix, aggregation."""

import math

import numpy as np
import pytest
from ascflow.evaluation import aggregate_runs, classification_metrics, wilson_interval
from sklearn.metrics import confusion_matrix as sklearn_confusion
from sklearn.metrics import f1_score, recall_score


def test_wilson_interval_known_values():
    # Reference values as statsmodels.proportion_confint(method="wilson") gives them.
    low, high = wilson_interval(750, 1500)
    assert (low, high) == pytest.approx((0.474729, 0.525271), abs=1e-6)
    # Near the edge the interval stays inside [0, 1] and is not symmetric.
    low, high = wilson_interval(0, 20)
    assert low == 0.0 and high == pytest.approx(0.16113, abs=1e-5)
    low, high = wilson_interval(20, 20)
    assert high == 1.0 and low == pytest.approx(1 - 0.16113, abs=1e-5)


def test_metrics_agree_with_scikit_learn():
    rng = np.random.default_rng(0)
    true = rng.integers(0, 5, 300)
    probabilities = rng.random((300, 5))
    probabilities[np.arange(300)[:150], true[:150]] += 1  # half right for sure
    predicted = probabilities.argmax(axis=1)
    metrics = classification_metrics(true, probabilities)
    assert metrics["accuracy"] == pytest.approx((predicted == true).mean())
    assert metrics["macro_f1"] == pytest.approx(f1_score(true, predicted, average="macro"))
    assert metrics["per_class_recall"] == pytest.approx(recall_score(true, predicted, average=None).tolist())
    assert metrics["confusion_matrix"] == sklearn_confusion(true, predicted).tolist()
    assert metrics["ci95_low"] < metrics["accuracy"] < metrics["ci95_high"]
    assert metrics["n_test"] == 300


def test_aggregate_mean_and_sample_sd():
    rows = [
        {"base_model": "cnn", "family": "cnn", "accuracy": a, "macro_f1": a / 2} for a in (0.5, 0.6, 0.7)
    ] + [{"base_model": "lstm", "family": "lstm", "accuracy": 0.4, "macro_f1": 0.3}]
    by_model = {row["base_model"]: row for row in aggregate_runs(rows)}
    assert by_model["cnn"]["n_runs"] == 3
    assert by_model["cnn"]["accuracy_mean"] == pytest.approx(0.6)
    assert by_model["cnn"]["accuracy_sd"] == pytest.approx(0.1)
    assert math.isnan(by_model["lstm"]["accuracy_sd"])
