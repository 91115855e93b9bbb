"""Comparing the models: the paired tests in sentences."""

from __future__ import annotations

import pytest
from ascflow.report.sections.comparisons import (
    comparison_blocks,
    seed_significance,
    significance,
    significance_width,
    verdict_reference,
)

RUNS = [{"model": "rf_10", "accuracy": 0.62}, {"model": "cnn", "accuracy": 0.40}]


def comparisons(significant: bool) -> dict:
    pair = {"first": "cnn", "second": "rf_10", "p_holm": 0.0004, "significant": significant}
    return {"mcnemar": [pair], "alpha": 0.05, "n_test": 200}


def test_the_better_model_of_a_significant_pair_comes_first():
    # One pair: nothing to adjust for, and no other difference to speak of.
    assert significance(comparisons(True), RUNS) == (
        "Significant at 5 % (McNemar's exact test on the 200 test clips both models share): "
        "rf_10 > cnn (p < 0.001)."
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


def three_models(significant: int) -> dict:
    """Three models' three pairs, the first ``significant`` of them significant."""
    pairs = [
        {"first": first, "second": second, "p_holm": 0.01 if index < significant else 0.4}
        | {"significant": index < significant}
        for index, (first, second) in enumerate([("rf_10", "cnn"), ("lstm", "cnn"), ("rf_10", "lstm")])
    ]
    return {"mcnemar": pairs, "alpha": 0.05, "n_test": 200, "models": ["rf_10", "cnn", "lstm"]}


def test_the_pairs_left_are_counted_in_the_singular_or_the_plural():
    runs = RUNS + [{"model": "lstm", "accuracy": 0.6}]
    assert significance(three_models(1), runs).endswith(
        "Holm-adjusted over the 3 pairs): rf_10 > cnn (p = 0.010); the other 2 differences are not."
    )
    assert significance(three_models(2), runs).endswith(
        "rf_10 > cnn (p = 0.010); lstm > cnn (p = 0.010); the other difference is not."
    )
    assert significance(three_models(3), runs).endswith("lstm > cnn (p = 0.010).")  # every pair named


def test_the_significant_pairs_are_named_once_in_the_summary_not_here():
    comparisons = three_models(1)
    blocks = comparison_blocks(
        type("Results", (), {"comparisons": comparisons, "runs": RUNS})(), {"significance": "s.png"}
    )
    text = " ".join(block.text for block in blocks if hasattr(block, "text"))
    assert "rf_10 > cnn" not in text
    assert verdict_reference(comparisons) in text and "is stated in the Summary" in text


def test_the_p_value_matrix_takes_the_width_its_models_need():
    assert significance_width(three_models(0)) == pytest.approx(0.5)
    assert significance_width({"models": [f"rf_{n}" for n in range(20)]}) == 1.0
    # With seeds, one seed's runs are shown.
    assert significance_width(
        {"models": ["cnn_seed1", "rf_10_seed1", "cnn_seed2", "rf_10_seed2"]}
    ) == pytest.approx(0.45)
