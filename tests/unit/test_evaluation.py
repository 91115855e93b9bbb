"""Log loss beside accuracy and macro-F1: scikit-learn's, over every class,
whatever the dtype the probabilities were stored in; and in the means over seeds."""

from __future__ import annotations

import math

import numpy as np
import pytest
from ascflow.evaluation import aggregate_runs, classification_metrics, multiclass_log_loss


def test_log_loss_is_the_mean_negative_log_probability_of_the_true_class():
    true = np.array([0, 1, 2, 2])
    probabilities = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.3, 0.3, 0.4], [0.25, 0.25, 0.5]])
    expected = -np.mean(np.log([0.7, 0.8, 0.4, 0.5]))
    assert multiclass_log_loss(true, probabilities) == pytest.approx(expected)
    assert classification_metrics(true, probabilities)["log_loss"] == pytest.approx(expected)


def test_a_class_the_labels_lack_still_counts_and_the_dtype_does_not_matter():
    # Only classes 0 and 1 occur; the third column must not be dropped.
    true = np.array([0, 1])
    probabilities = np.array([[0.5, 0.25, 0.25], [0.0, 0.5, 0.5]])
    expected = -np.mean(np.log([0.5, 0.5]))
    assert multiclass_log_loss(true, probabilities) == pytest.approx(expected)
    # A forest's probability of 0 for the true class: the float64 floor, stored as float32 or not.
    certain_and_wrong = np.array([[0.0, 1.0, 0.0]])
    as_float64 = multiclass_log_loss(np.array([0]), certain_and_wrong)
    as_float32 = multiclass_log_loss(np.array([0]), certain_and_wrong.astype(np.float32))
    assert as_float64 == as_float32 == pytest.approx(-math.log(np.finfo(np.float64).eps))
    # Rows stored as float32 that sum to 1 only within rounding are scaled, not refused.
    rounded = np.array([[0.2, 0.3, 0.5000001]], dtype=np.float32)
    assert multiclass_log_loss(np.array([2]), rounded) == pytest.approx(-math.log(0.5), rel=1e-6)


def test_means_over_seeds_include_the_log_loss_where_the_runs_have_it():
    rows = [
        {"base_model": "cnn", "family": "cnn", "accuracy": a, "macro_f1": a, "log_loss": loss}
        for a, loss in ((0.5, 1.0), (0.7, 2.0))
    ]
    (row,) = aggregate_runs(rows)
    assert row["log_loss_mean"] == pytest.approx(1.5) and row["log_loss_sd"] == pytest.approx(math.sqrt(0.5))
    without = aggregate_runs([{key: value for key, value in r.items() if key != "log_loss"} for r in rows])
    assert "log_loss_mean" not in without[0] and without[0]["accuracy_mean"] == pytest.approx(0.6)
