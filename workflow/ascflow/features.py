"""The three feature layouts the models read, written as float32 ``.npy``.

* ``flat``       ``(N, F*T)``    one row per clip, for the forests;
* ``channel``    ``(N, F, T, 1)`` a trailing channel axis, for the CNN;
* ``time_major`` ``(N, T, F)``   frames as the sequence axis, for the LSTM.

``time_major`` is a transpose of the last two axes. The reference study used
``reshape(-1, T, F)``, which keeps the memory order and so cuts each band's
time series into pieces spread over "frames": a frame then holds parts of
different bands at different times. ``time_major_method="reshape"``
reproduces that bug on purpose, for comparison only.

Optional per-band standardization subtracts the training set's mean of each
band and divides by its standard deviation (statistics from the training set
only, never the test set).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from numpy.lib.format import open_memmap

from ascflow.errors import AscflowError
from ascflow.files import CHUNK_CLIPS

LAYOUTS = ("flat", "channel", "time_major")
TIME_MAJOR_METHODS = ("transpose", "reshape")
STANDARDIZE = ("per_band", "none")


def layout_shape(layout: str, n_clips: int, n_features: int, n_frames: int) -> tuple[int, ...]:
    shapes = {
        "flat": (n_clips, n_features * n_frames),
        "channel": (n_clips, n_features, n_frames, 1),
        "time_major": (n_clips, n_frames, n_features),
    }
    if layout not in shapes:
        raise AscflowError(f"layout: unknown layout {layout!r}; expected one of {', '.join(LAYOUTS)}.")
    return shapes[layout]


def to_layout(clips: np.ndarray, layout: str, time_major_method: str = "transpose") -> np.ndarray:
    """Rearrange a ``(n, F, T)`` block of clips into ``layout``."""
    n, n_features, n_frames = clips.shape
    if layout == "flat":
        return clips.reshape(n, n_features * n_frames)
    if layout == "channel":
        return clips[..., np.newaxis]
    if layout == "time_major":
        if time_major_method == "transpose":
            return np.swapaxes(clips, 1, 2)
        if time_major_method == "reshape":
            return clips.reshape(n, n_frames, n_features)  # the reference's bug, on purpose
        raise AscflowError(
            f"lstm.time_major: unknown method {time_major_method!r}; expected transpose or reshape."
        )
    layout_shape(layout, n, n_features, n_frames)  # raises for an unknown layout
    raise AssertionError("unreachable")


def from_layout(
    features: np.ndarray, layout: str, n_features: int, n_frames: int, time_major_method: str = "transpose"
) -> np.ndarray:
    """The ``(n, F, T)`` clips behind ``features`` in ``layout`` (a view where
    numpy can give one): the inverse of :func:`to_layout`."""
    n = features.shape[0]
    if layout == "flat":
        return features.reshape(n, n_features, n_frames)
    if layout == "channel":
        return features[..., 0]
    if layout == "time_major" and time_major_method == "transpose":
        return np.swapaxes(features, 1, 2)
    if layout == "time_major":
        return features.reshape(n, n_features, n_frames)  # undoes the reference's reshape
    layout_shape(layout, n, n_features, n_frames)  # raises for an unknown layout
    raise AssertionError("unreachable")


def standardize_clips(clips: np.ndarray, band_mean: np.ndarray, band_std: np.ndarray) -> np.ndarray:
    """Per-band standardization of ``(n, F, T)`` clips; constant bands stay 0."""
    scale = np.where(band_std > 0, band_std, 1.0)
    return ((clips - band_mean[None, :, None]) / scale[None, :, None]).astype(np.float32)


def write_layout(
    source: np.ndarray,
    out_path: str | Path,
    layout: str,
    band_mean: np.ndarray | None = None,
    band_std: np.ndarray | None = None,
    time_major_method: str = "transpose",
) -> tuple[int, ...]:
    """Stream ``source`` (``(N, F, T)``, any numeric dtype, memory-mapped is
    fine) into a float32 ``.npy`` in ``layout``; return the shape written.

    Standardizes when ``band_mean`` and ``band_std`` are given.
    """
    n_clips, n_features, n_frames = source.shape
    shape = layout_shape(layout, n_clips, n_features, n_frames)
    out = open_memmap(Path(out_path), mode="w+", dtype=np.float32, shape=shape)
    for start in range(0, n_clips, CHUNK_CLIPS):
        clips = np.asarray(source[start : start + CHUNK_CLIPS], dtype=np.float32)
        if band_mean is not None and band_std is not None:
            clips = standardize_clips(clips, np.asarray(band_mean), np.asarray(band_std))
        out[start : start + clips.shape[0]] = to_layout(clips, layout, time_major_method)
    out.flush()
    del out
    return shape
