"""ascflow.models.splits: the grouped holdout and cross-validation folds
never share a group between training and validation (property tests over
random groupings), clip-level folds are stratified, and too few groups for
the folds is one sentence. A cross-validated run of the workflow is
tests/workflow/test_cross_validated_run.py."""

from __future__ import annotations

import numpy as np
import pytest
from ascflow.errors import AscflowError
from ascflow.models.splits import cv_folds, holdout_split, is_grouped
from hypothesis import assume, given, settings
from hypothesis import strategies as st


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


def test_holdout_split_is_stratified_disjoint_and_deterministic():
    labels = np.repeat(np.arange(5), 20)
    train, validation = holdout_split(labels, 0.1, seed=3)
    assert np.intersect1d(train, validation).size == 0
    assert np.union1d(train, validation).tolist() == list(range(100))
    assert np.bincount(labels[validation]).tolist() == [2] * 5
    again = holdout_split(labels, 0.1, seed=3)
    assert np.array_equal(again[1], validation)
    assert not np.array_equal(holdout_split(labels, 0.1, seed=4)[1], validation)


def test_holdout_split_keeps_every_class_on_both_sides_for_tiny_sets():
    labels = np.array([0, 0, 1, 1, 2, 2, 2])
    train, validation = holdout_split(labels, 0.1, seed=0)
    assert set(labels[validation]) == {0, 1, 2} and set(labels[train]) == {0, 1, 2}


def test_a_segment_heard_through_several_devices_stays_on_one_side():
    """DCASE names one segment's recordings by device (``-a``, ``-s1``...):
    the recording a file belongs to leaves the suffix out, so the grouped
    holdout and folds keep every device of a segment together."""
    from ascflow.data.validation import recording_of_name

    devices = ("a", "s1", "s2")
    files = [
        f"audio/scene{c}-loc-{segment}-{device}.wav"
        for c in range(3)
        for segment in range(6)
        for device in devices
    ]
    labels = np.array([int(name.split("scene")[1][0]) for name in files])
    groups = np.array([recording_of_name(name) for name in files])
    assert np.unique(groups).size == 18 and is_grouped(groups)
    train, validation = holdout_split(labels, 0.25, 0, groups)
    assert not set(groups[train]) & set(groups[validation])
    for train, held_out in cv_folds(labels, 3, 0, groups):
        assert not set(groups[train]) & set(groups[held_out])
    # By file name alone every clip would be its own group: the split would not be grouped.
    assert not is_grouped(np.array(files))
