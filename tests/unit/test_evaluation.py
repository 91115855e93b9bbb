"""ascflow.evaluation, each figure against an independent computation: the
metrics (Wilson interval, accuracy, macro-F1, recall, confusion matrix, log
loss over every class whatever the dtype of the stored probabilities)
against scikit-learn, statsmodels' values and hand calculations; the means
and sample standard deviations over seeds; and the paired tests (exact
McNemar, Holm's adjustment, a paired t-test over seeds) against scipy."""

from __future__ import annotations

import math

import numpy as np
import pytest
from ascflow.evaluation import (
    aggregate_runs,
    classification_metrics,
    holm,
    mcnemar_pairs,
    mcnemar_test,
    multiclass_log_loss,
    paired_seed_tests,
    wilson_interval,
)
from scipy.stats import binom, ttest_rel
from sklearn.metrics import confusion_matrix as sklearn_confusion
from sklearn.metrics import f1_score, recall_score

# ---- the metrics of one model ----------------------------------------------------


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


# ---- the means over seeds -------------------------------------------------------


def test_aggregate_mean_and_sample_sd():
    rows = [
        {"base_model": "cnn", "family": "cnn", "accuracy": a, "macro_f1": a / 2} for a in (0.5, 0.6, 0.7)
    ] + [{"base_model": "lstm", "family": "lstm", "accuracy": 0.4, "macro_f1": 0.3}]
    by_model = {row["base_model"]: row for row in aggregate_runs(rows)}
    assert by_model["cnn"]["n_runs"] == 3
    assert by_model["cnn"]["accuracy_mean"] == pytest.approx(0.6)
    assert by_model["cnn"]["accuracy_sd"] == pytest.approx(0.1)
    assert math.isnan(by_model["lstm"]["accuracy_sd"])


def test_means_over_seeds_include_the_log_loss_where_the_runs_have_it():
    rows = [
        {"base_model": "cnn", "family": "cnn", "accuracy": a, "macro_f1": a, "log_loss": loss}
        for a, loss in ((0.5, 1.0), (0.7, 2.0))
    ]
    (row,) = aggregate_runs(rows)
    assert row["log_loss_mean"] == pytest.approx(1.5) and row["log_loss_sd"] == pytest.approx(math.sqrt(0.5))
    without = aggregate_runs([{key: value for key, value in r.items() if key != "log_loss"} for r in rows])
    assert "log_loss_mean" not in without[0] and without[0]["accuracy_mean"] == pytest.approx(0.6)


# ---- the paired tests between models ---------------------------------------------


def exact_mcnemar(only_first: int, only_second: int) -> float:
    """Two-sided exact McNemar p-value from the binomial distribution."""
    n = only_first + only_second
    return min(1.0, 2 * binom.cdf(min(only_first, only_second), n, 0.5)) if n else 1.0


def test_mcnemar_matches_the_binomial_on_hand_made_predictions():
    # 10 clips both get right, 9 only the first, 2 only the second, 4 neither.
    first = np.array([1] * 10 + [1] * 9 + [0] * 2 + [0] * 4, bool)
    second = np.array([1] * 10 + [0] * 9 + [1] * 2 + [0] * 4, bool)
    row = mcnemar_test("a", "b", {"a": first, "b": second})
    assert (row["only_first"], row["only_second"]) == (9, 2)
    assert row["p"] == pytest.approx(exact_mcnemar(9, 2)) and row["p"] == pytest.approx(0.0654296875)
    # Equal models: p = 1; identical discordance both ways too.
    assert mcnemar_test("a", "a", {"a": first})["p"] == 1.0


def test_holm_adjustment_by_hand():
    rows = holm([{"p": 0.01}, {"p": 0.04}, {"p": 0.03}], alpha=0.05)
    # Sorted 0.01, 0.03, 0.04 times 3, 2, 1, made monotone: 0.03, 0.06, 0.06.
    assert [row["p_holm"] for row in rows] == pytest.approx([0.03, 0.06, 0.06])
    assert [row["significant"] for row in rows] == [True, False, False]


def test_every_pair_is_compared_once_and_adjusted_together():
    a = np.arange(300) < 240  # 240 of 300 right
    b = a.copy()
    b[:90] = False  # 90 of a's right clips wrong: far worse
    c = a.copy()
    c[200:205] = False  # 5 wrong: close to a (exact p = 2 / 2**5)
    rows = mcnemar_pairs({"a": a, "b": b, "c": c})
    assert [(row["first"], row["second"]) for row in rows] == [("a", "b"), ("a", "c"), ("b", "c")]
    for row in rows:
        assert row["p"] == pytest.approx(exact_mcnemar(row["only_first"], row["only_second"]))
        assert row["p_holm"] >= row["p"]
    assert {(row["first"], row["second"]) for row in rows if row["significant"]} == {("a", "b"), ("b", "c")}


def test_paired_test_over_seeds():
    accuracy = {
        "cnn": {0: 0.70, 1: 0.74, 2: 0.71},
        "lstm": {0: 0.60, 1: 0.66, 2: 0.62},
        "rf": {0: 0.70, 1: 0.74, 2: 0.71},
    }
    rows = {(row["first"], row["second"]): row for row in paired_seed_tests(accuracy)}
    expected = ttest_rel([0.70, 0.74, 0.71], [0.60, 0.66, 0.62]).pvalue
    assert rows["cnn", "lstm"]["p"] == pytest.approx(expected) and rows["cnn", "lstm"]["seeds"] == [0, 1, 2]
    assert rows["cnn", "rf"]["p"] == 1.0 and not rows["cnn", "rf"]["significant"]


# ---- per recording device -----------------------------------------------------


def test_device_metrics_mark_unseen_devices_and_give_known_unseen_and_spread():
    from ascflow.evaluation import device_metrics

    devices = np.array(["a", "a", "a", "a", "s1", "s1", "s4", "s4", "s4", "s5"])
    true = np.zeros(10, dtype=int)
    predicted = np.array([0, 0, 0, 1, 0, 1, 0, 1, 1, 1])  # a 3/4, s1 1/2, s4 1/3, s5 0/1
    facts = device_metrics(true, predicted, devices, np.array(["a", "s1", "s2"]))
    per_device = facts["per_device"]
    assert list(per_device) == ["a", "s1", "s4", "s5"]
    assert [per_device[d]["unseen"] for d in per_device] == [False, False, True, True]
    assert per_device["s4"]["n"] == 3 and per_device["s4"]["accuracy"] == pytest.approx(1 / 3)
    assert (per_device["s4"]["ci95_low"], per_device["s4"]["ci95_high"]) == pytest.approx(
        wilson_interval(1, 3)
    )
    # Known: the clips of a and s1 together (4 of 6), unseen those of s4 and s5 (1 of 4).
    assert facts["known_device_accuracy"] == pytest.approx(4 / 6) and facts["n_known_device"] == 6
    assert facts["unseen_device_accuracy"] == pytest.approx(1 / 4) and facts["n_unseen_device"] == 4
    assert (facts["unseen_device_ci95_low"], facts["unseen_device_ci95_high"]) == pytest.approx(
        wilson_interval(1, 4)
    )
    # The spread: the population standard deviation of the four devices' accuracies.
    accuracies = [3 / 4, 1 / 2, 1 / 3, 0.0]
    mean = sum(accuracies) / 4
    assert facts["device_accuracy_sd"] == pytest.approx(
        math.sqrt(sum((x - mean) ** 2 for x in accuracies) / 4)
    )
    # Every test device heard in training: no unseen accuracy.
    seen = device_metrics(true, predicted, devices, devices)
    assert seen["unseen_device_accuracy"] is None and seen["n_unseen_device"] == 0
    assert seen["known_device_accuracy"] == pytest.approx(0.5)
