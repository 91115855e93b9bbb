"""Nested subsets of the training set (ascflow.models.subsets)."""

from __future__ import annotations

import numpy as np
import pytest
from ascflow.errors import AscflowError
from ascflow.models.subsets import (
    check_fractions,
    fraction_label,
    nested_subsets,
    read_clip_list,
    recording_order,
    write_clip_list,
)

FRACTIONS = [0.05, 0.1, 0.25, 0.5, 1.0]


def recordings(n_per_class=(40, 20, 10), clips=(1, 2, 3, 4), seed=0):
    """Labels and groups of recordings of 1-4 clips, classes of unequal size."""
    rng = np.random.default_rng(seed)
    labels, groups = [], []
    recording = 0
    for label, count in enumerate(n_per_class):
        for _ in range(count):
            n = int(rng.choice(clips))
            labels += [label] * n
            groups += [recording] * n
            recording += 1
    order = rng.permutation(len(labels))  # clips of a recording need not be adjacent
    return np.array(labels)[order], np.array(groups)[order]


def test_each_subset_lies_inside_the_next_and_the_whole_set_is_every_clip():
    labels, groups = recordings()
    subsets = nested_subsets(labels, groups, FRACTIONS, seed=3)
    assert list(subsets) == ["0.05", "0.1", "0.25", "0.5", "1"]
    ordered = list(subsets.values())
    for small, large in zip(ordered, ordered[1:], strict=False):
        assert set(small) < set(large)
    assert ordered[-1].tolist() == list(range(labels.size))


def test_a_subset_holds_whole_recordings():
    labels, groups = recordings()
    for indices in nested_subsets(labels, groups, FRACTIONS, seed=3).values():
        taken = np.isin(groups, groups[indices])
        assert set(np.flatnonzero(taken)) == set(indices)


def test_class_shares_are_kept_to_within_one_recording():
    labels, groups = recordings()
    largest_recording = 4
    for label, indices in nested_subsets(labels, groups, FRACTIONS, seed=3).items():
        fraction = float(label)
        for value in np.unique(labels):
            wanted = fraction * np.sum(labels == value)
            assert abs(np.sum(labels[indices] == value) - wanted) <= largest_recording
            assert np.sum(labels[indices] == value) >= 1  # no class is ever missing


def test_the_subsets_are_the_same_under_a_seed_and_differ_under_another():
    labels, groups = recordings()
    first = nested_subsets(labels, groups, FRACTIONS, seed=3)
    again = nested_subsets(labels, groups, [0.25, 0.05], seed=3)  # the order of fractions is no matter
    other = nested_subsets(labels, groups, FRACTIONS, seed=4)
    assert np.array_equal(first["0.25"], again["0.25"]) and np.array_equal(first["0.05"], again["0.05"])
    assert not np.array_equal(first["0.25"], other["0.25"])


def test_the_subsets_draw_from_a_stream_of_their_own():
    np.random.seed(1)
    before = np.random.random()
    np.random.seed(1)
    nested_subsets(*recordings(), FRACTIONS, seed=3)
    assert np.random.random() == before


def test_without_groups_every_clip_is_a_recording():
    labels = np.repeat([0, 1], [30, 10])
    subsets = nested_subsets(labels, None, [0.1, 0.5], seed=0)
    assert [np.sum(labels[subsets["0.1"]] == value) for value in (0, 1)] == [3, 1]
    assert [np.sum(labels[subsets["0.5"]] == value) for value in (0, 1)] == [15, 5]


def test_the_device_mix_of_a_class_is_kept_in_every_prefix():
    """Two devices in a 3:1 mix: every prefix of a class's order keeps it to
    within one recording per device."""
    labels = np.zeros(80, dtype=int)
    groups = np.arange(80)
    devices = np.array(["a"] * 60 + ["b"] * 20)
    order = recording_order(labels, groups, seed=5, devices=devices)[0]
    for length in range(1, 81):
        taken = np.concatenate(order[:length])
        share_b = np.sum(devices[taken] == "b")
        assert abs(share_b - length / 4) <= 1.0


def test_fractions_out_of_range_or_named_twice_are_one_sentence():
    assert check_fractions([1.0, 0.25]) == [0.25, 1.0]
    with pytest.raises(AscflowError, match="data_fractions: every fraction must be above 0 and at most 1"):
        check_fractions([0.5, 1.5])
    with pytest.raises(AscflowError, match="names a fraction twice"):
        check_fractions([0.5, 0.50])
    assert [fraction_label(value) for value in FRACTIONS] == ["0.05", "0.1", "0.25", "0.5", "1"]


def test_a_clip_list_reads_back_and_a_bad_one_is_named(tmp_path):
    path = tmp_path / "train_0.5.txt"
    write_clip_list(path, np.array([0, 3, 7]))
    assert path.read_text() == "0\n3\n7\n"
    assert read_clip_list(path).tolist() == [0, 3, 7]
    path.write_text("3\n1\n")
    with pytest.raises(AscflowError, match=r"train_0\.5\.txt: a clip list must hold increasing row numbers"):
        read_clip_list(path)
    path.write_text("a\n")
    with pytest.raises(AscflowError, match="not a clip list"):
        read_clip_list(path)
