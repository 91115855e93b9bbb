"""Comparing the models: the paired tests in sentences."""

from __future__ import annotations

from ascflow.report.sections.comparisons import seed_significance, significance

RUNS = [{"model": "rf_10", "accuracy": 0.62}, {"model": "cnn", "accuracy": 0.40}]


def comparisons(significant: bool) -> dict:
    pair = {"first": "cnn", "second": "rf_10", "p_holm": 0.0004, "significant": significant}
    return {"mcnemar": [pair], "alpha": 0.05, "n_test": 200}


def test_the_better_model_of_a_significant_pair_comes_first():
    assert significance(comparisons(True), RUNS) == (
        "Significant at 5 % (McNemar's exact test on the 200 test clips all models share, Holm-adjusted "
        "over the 1 pairs): rf_10 > cnn (p < 0.001); so is every other difference."
    )
    assert significance(comparisons(False), RUNS).startswith(
        "No difference between the models is significant"
    )
    assert (
        significance({"mcnemar": []}, RUNS[:1]) == "Only one model was trained: there is nothing to compare."
    )


def test_seed_comparison_only_with_seeds():
    assert seed_significance({}) == ""
    rows = [
        {"first": "cnn", "second": "rf_10", "mean_difference": -0.2, "p_holm": 0.012, "significant": True},
        {"first": "cnn", "second": "lstm", "mean_difference": 0.01, "p_holm": 0.5, "significant": False},
    ]
    for row in rows:
        row["seeds"] = [0, 1, 2]
    assert seed_significance({"seeds": rows}) == (
        "Over the 3 seeds (paired t-test of the accuracies, Holm-adjusted over 2 pairs): "
        "rf_10 > cnn (p = 0.012)."
    )
    assert seed_significance({"seeds": rows[1:]}).endswith(": no pair differs significantly.")
