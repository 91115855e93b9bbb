"""The label files: one label per clip, read as integers or names in every
form that needs no guess, and the conversions recorded."""

from __future__ import annotations

import numpy as np

from ascflow.data.validation.names import ClipNames
from ascflow.errors import AscflowError

#: The label forms read as classes, each recorded in the data summary as a
#: conversion of that file: a column vector (n, 1) is flattened, whole-valued
#: floats become integers, booleans 0 and 1, and text labels are class names.
LABEL_CONVERSIONS = ("column_vector", "whole_floats", "booleans", "names")


def read_labels(
    split: str, labels: np.ndarray, n_clips: int, names: ClipNames
) -> tuple[np.ndarray, list[str]]:
    """The labels of one split as a 1-D array of integers or of names, and
    the conversions that took (see :data:`LABEL_CONVERSIONS`); anything that
    would need a guess is refused."""
    name = names.array(f"y_{split}")
    conversions = []
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels, conversions = labels[:, 0], ["column_vector"]
    if labels.ndim != 1:
        raise AscflowError(
            f"{name}: expected a 1-D array of class labels (or a column), got shape {labels.shape}."
        )
    if labels.shape[0] != n_clips:
        raise AscflowError(
            f"{name}: has {labels.shape[0]} labels but {names.array(f'X_{split}')} has {n_clips} clips."
        )
    kind = labels.dtype.kind
    if kind in "iu":
        return np.asarray(labels), conversions
    if kind == "b":
        return np.asarray(labels, dtype=np.int64), [*conversions, "booleans"]
    if kind in "US":
        return _names(name, labels), [*conversions, "names"]
    if kind == "f":
        return _whole_numbers(name, labels), [*conversions, "whole_floats"]
    raise AscflowError(f"{name}: expected integer class labels or names, got dtype {labels.dtype}.")


def _names(name: str, labels: np.ndarray) -> np.ndarray:
    """Text labels as names; an empty one names no class."""
    names = np.asarray(labels).astype(str)
    if (np.char.strip(names) == "").any():
        raise AscflowError(f"{name}: label {int(np.flatnonzero(np.char.strip(names) == '')[0])} is empty.")
    return names


def _whole_numbers(name: str, labels: np.ndarray) -> np.ndarray:
    """Float labels as integers, where every one is whole: 1.0 is class 1,
    but 0.5 (or NaN) is no class."""
    values = np.asarray(labels, dtype=np.float64)
    not_whole = ~np.isfinite(values) | (values != np.round(values))
    if not_whole.any():
        first = int(np.flatnonzero(not_whole)[0])
        raise AscflowError(
            f"{name}: {int(not_whole.sum())} labels are not whole numbers (first: {values[first]} "
            f"at position {first}); class labels must be integers or names."
        )
    return values.astype(np.int64)
