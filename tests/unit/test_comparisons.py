"""Honest comparisons: grouped splits, cross-validation folds, and the paired
tests, each against an independent computation. A cross-validated run of
the workflow is tests/workflow/test_cross_validated_run.py."""

from __future__ import annotations

import numpy as np
import pytest
from ascflow.errors import AscflowError
from ascflow.evaluation import holm, mcnemar_pairs, mcnemar_test, paired_seed_tests
from ascflow.models.splits import cv_folds, holdout_split, is_grouped
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.stats import binom, ttest_rel


@st.composite
def groupings(draw):
    """Labels and groups as recordings make them: each group one class."""
    n_classes = draw(st.integers(2, 5))
    group_sizes = draw(st.lists(st.integers(1, 6), min_size=2 * n_classes, max_size=30))
    group_classes = [index % n_classes for index in range(len(group_sizes))]
    labels = np.repeat(group_classes, group_sizes)
    groups = np.repeat(np.arange(len(group_sizes)), group_sizes)
    order = np.random.default_rng(draw(st.integers(0, 1000))).permutation(labels.size)
    return labels[order], groups[order], draw(st.integers(0, 10_000))


@settings(max_examples=60, deadline=None)
@given(groupings(), st.sampled_from([0.1, 0.25, 0.5]))
def test_grouped_holdout_never_shares_a_group(data, fraction):
    labels, groups, seed = data
    train, validation = holdout_split(labels, fraction, seed, groups)
    assert np.intersect1d(groups[train], groups[validation]).size == 0
    assert np.union1d(train, validation).tolist() == list(range(labels.size)) and validation.size


@settings(max_examples=60, deadline=None)
@given(groupings(), st.integers(2, 4))
def test_grouped_folds_partition_the_training_set_without_sharing_a_group(data, n_folds):
    labels, groups, seed = data
    assume(np.bincount(labels).max() >= n_folds and np.unique(groups).size >= n_folds)
    folds = cv_folds(labels, n_folds, seed, groups)
    held_out = [held for _, held in folds]
    assert len(folds) == n_folds
    assert np.sort(np.concatenate(held_out)).tolist() == list(range(labels.size))  # each clip once
    for train, held in folds:
        assert np.intersect1d(train, held).size == 0 and train.size + held.size == labels.size
        assert np.intersect1d(groups[train], groups[held]).size == 0


def test_clip_level_folds_are_stratified_and_partition():
    labels = np.repeat(np.arange(3), 10)
    folds = cv_folds(labels, 5, seed=0)
    assert np.sort(np.concatenate([held for _, held in folds])).tolist() == list(range(30))
    assert all(np.bincount(labels[held], minlength=3).tolist() == [2, 2, 2] for _, held in folds)
    assert not is_grouped(np.arange(30)) and is_grouped(np.arange(30) // 3)


def test_too_few_groups_for_the_folds_is_one_sentence():
    labels, groups = np.array([0, 0, 0, 1, 1, 1]), np.array([0, 0, 0, 1, 1, 1])
    with pytest.raises(AscflowError, match=r"^cv\.folds: 3 grouped folds need at least 3 groups"):
        cv_folds(labels, 3, seed=0, groups=groups)


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
