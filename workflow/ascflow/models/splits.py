"""How the training set is split: the networks' held-out validation part, and
cross-validation folds.

Acoustic-scene clips are cut from recordings, and near-identical clips of one
recording on both sides of a split overstate accuracy. With groups (one
recording id per clip), every split here keeps each group on one side,
stratified by class where the groups allow (scikit-learn's
``StratifiedGroupKFold``); without them (every clip its own group) the
splits are clip-level and stratified, as before groups existed.
"""

from __future__ import annotations

import math

import numpy as np
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold, train_test_split

from ascflow.errors import AscflowError


def is_grouped(groups: np.ndarray | None) -> bool:
    """Whether ``groups`` bind clips together (not one group per clip)."""
    return groups is not None and np.unique(groups).size < groups.size


def holdout_split(
    labels: np.ndarray, fraction: float, seed: int, groups: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(train, validation) indices into the training set, sorted.

    Clip-level: stratified, the validation part gets at least one clip of
    every class and the training part keeps at least one, whatever the
    fraction. Grouped: the first fold of ``round(1 / fraction)`` stratified
    group folds, so no group is on both sides.
    """
    if is_grouped(groups):
        # No more folds than groups, nor than the largest class has clips.
        largest_class = int(np.unique(labels, return_counts=True)[1].max())
        n_splits = max(2, min(round(1 / fraction), np.unique(groups).size, largest_class))
        splitter = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
        train_index, validation_index = next(splitter.split(np.zeros(labels.size), labels, groups))
        return np.sort(train_index), np.sort(validation_index)
    n_clips, n_classes = labels.size, np.unique(labels).size
    n_validation = min(max(math.ceil(fraction * n_clips), n_classes), n_clips - n_classes)
    train_index, validation_index = train_test_split(
        np.arange(n_clips), test_size=n_validation, stratify=labels, random_state=seed
    )
    return np.sort(train_index), np.sort(validation_index)


def cv_folds(
    labels: np.ndarray, n_folds: int, seed: int, groups: np.ndarray | None = None
) -> list[tuple[np.ndarray, np.ndarray]]:
    """``n_folds`` (train, held-out) index pairs that partition the training
    set: stratified, and grouped where there are groups."""
    largest_class = int(np.unique(labels, return_counts=True)[1].max())
    if largest_class < n_folds:
        raise AscflowError(
            f"cv.folds: {n_folds} folds need a class with at least {n_folds} training clips; "
            f"the largest has {largest_class}."
        )
    if is_grouped(groups):
        if np.unique(groups).size < n_folds:
            raise AscflowError(
                f"cv.folds: {n_folds} grouped folds need at least {n_folds} groups (recordings), "
                f"but the training set has {np.unique(groups).size}."
            )
        splitter = StratifiedGroupKFold(n_splits=n_folds, shuffle=True, random_state=seed)
    else:
        if labels.size < n_folds:
            raise AscflowError(f"cv.folds: {n_folds} folds need at least {n_folds} training clips.")
        splitter = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=seed)
    dummy = np.zeros(labels.size)
    return [(np.sort(train), np.sort(held_out)) for train, held_out in splitter.split(dummy, labels, groups)]
