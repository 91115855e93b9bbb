"""The feature arrays: 3-D, real, finite within float32, in which the models
compute, and clips of one shape in both splits; and the training set's
band statistics the summary records. Scanned in chunks of
:data:`ascflow.files.CHUNK_CLIPS` clips, so memory stays bounded."""

from __future__ import annotations

import numpy as np

from ascflow.data.validation.names import ClipNames
from ascflow.errors import AscflowError
from ascflow.files import CHUNK_CLIPS

#: The largest magnitude the models can compute with (float32).
FLOAT32_MAX = float(np.finfo(np.float32).max)


def check_features(split: str, features: np.ndarray, names: ClipNames) -> dict:
    """X must be 3-D, numeric and finite; returns its value range."""
    name = names.array(f"X_{split}")
    if features.ndim != 3:
        raise AscflowError(
            f"{name}: expected a 3-D array (clips, features, time), got shape {features.shape}."
        )
    if features.dtype == bool or not np.issubdtype(features.dtype, np.number):
        raise AscflowError(f"{name}: expected numeric values, got dtype {features.dtype}.")
    if np.issubdtype(features.dtype, np.complexfloating):
        raise AscflowError(f"{name}: expected real values, got dtype {features.dtype}.")
    if features.shape[0] == 0 or features.shape[1] == 0 or features.shape[2] == 0:
        raise AscflowError(f"{name}: the array is empty (shape {features.shape}).")
    low, high = np.inf, -np.inf
    for start in range(0, features.shape[0], CHUNK_CLIPS):
        chunk = np.asarray(features[start : start + CHUNK_CLIPS])  # in the file's own dtype
        if not np.isfinite(chunk).all():
            _raise_not_finite(split, features, start, names)
        chunk_low, chunk_high = float(chunk.min()), float(chunk.max())
        if max(-chunk_low, chunk_high) > FLOAT32_MAX:
            _raise_beyond_float32(split, features, start, names)
        low, high = min(low, chunk_low), max(high, chunk_high)
    return {"min": low, "max": high}


def _raise_beyond_float32(split: str, features: np.ndarray, first_chunk: int, names: ClipNames) -> None:
    """Values finite in the file's dtype but too large for float32, in which
    the features are computed."""
    count, first_clip = 0, None
    for start in range(first_chunk, features.shape[0], CHUNK_CLIPS):
        beyond = np.abs(np.asarray(features[start : start + CHUNK_CLIPS], dtype=np.float64)) > FLOAT32_MAX
        count += int(beyond.sum())
        clips = np.flatnonzero(beyond.any(axis=(1, 2)))
        if first_clip is None and clips.size:
            first_clip = start + int(clips[0])
    raise AscflowError(
        f"{names.array(f'X_{split}')}: {count} values lie beyond float32's range (±{FLOAT32_MAX:.1e}), in "
        f"which the models compute (first in {names.clip(split, first_clip)})."
    )


def _raise_not_finite(split: str, features: np.ndarray, first_chunk: int, names: ClipNames) -> None:
    """Count NaN and infinite values over the rest of the file, then raise."""
    n_nan = n_inf = 0
    first_clip = None
    for start in range(first_chunk, features.shape[0], CHUNK_CLIPS):
        chunk = np.asarray(features[start : start + CHUNK_CLIPS])
        nan, inf = np.isnan(chunk), np.isinf(chunk)
        n_nan, n_inf = n_nan + int(nan.sum()), n_inf + int(inf.sum())
        bad_clips = np.flatnonzero((nan | inf).any(axis=(1, 2)))
        if first_clip is None and bad_clips.size:
            first_clip = start + int(bad_clips[0])
    parts = [f"{count} values are {kind}" for count, kind in ((n_nan, "NaN"), (n_inf, "infinite")) if count]
    raise AscflowError(
        f"{names.array(f'X_{split}')}: {' and '.join(parts)} (first in {names.clip(split, first_clip)})."
    )


def check_clip_shapes(train: np.ndarray, test: np.ndarray, names: ClipNames) -> None:
    """A model takes clips of one shape: the test clips must have the
    training clips' features and frames."""
    if train.shape[1:] != test.shape[1:]:
        raise AscflowError(
            f"{names.array('X_test')}: clips are {test.shape[1]} x {test.shape[2]} (features x time) "
            f"but {names.array('X_train')}'s are {train.shape[1]} x {train.shape[2]}."
        )


def band_statistics(features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-feature (band) mean and standard deviation over clips and time,
    accumulated in float64 chunk by chunk."""
    total = np.zeros(features.shape[1])
    total_sq = np.zeros(features.shape[1])
    for start in range(0, features.shape[0], CHUNK_CLIPS):
        chunk = np.asarray(features[start : start + CHUNK_CLIPS], dtype=np.float64)
        total += chunk.sum(axis=(0, 2))
        total_sq += np.square(chunk).sum(axis=(0, 2))
    count = features.shape[0] * features.shape[2]
    mean = total / count
    std = np.sqrt(np.maximum(total_sq / count - mean**2, 0.0))
    return mean, std
