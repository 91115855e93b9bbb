"""Test clips that are byte-for-byte copies of training clips: the test set
leaked into training, a warning or (``leakage: error``) a stop."""

from __future__ import annotations

import hashlib

import numpy as np

from ascflow.data.validation.names import ClipNames
from ascflow.errors import AscflowError
from ascflow.files import CHUNK_CLIPS


def duplicate_clips(train: np.ndarray, test: np.ndarray) -> list[tuple[int, int]]:
    """(train index, test index) of clips that are byte-for-byte identical."""
    seen: dict[bytes, int] = {}
    for index, clip in _clips(train):
        seen.setdefault(_clip_key(clip), index)
    return [(seen[key], index) for index, clip in _clips(test) if (key := _clip_key(clip)) in seen]


def _clips(features: np.ndarray):
    """Each clip with its index, read chunk by chunk so that a memory-mapped
    array is never read whole."""
    for start in range(0, features.shape[0], CHUNK_CLIPS):
        chunk = np.ascontiguousarray(features[start : start + CHUNK_CLIPS])
        for offset, clip in enumerate(chunk):
            yield start + offset, clip


def _clip_key(clip: np.ndarray) -> bytes:
    return hashlib.blake2b(clip.tobytes(), digest_size=16).digest()


def check_duplicates(
    train: np.ndarray, test: np.ndarray, leakage: str, warnings: list[str], names: ClipNames
) -> int:
    """How many test clips copy a training clip; with ``leakage`` ``"error"``
    any stops the run, else they are a warning naming the first."""
    duplicates = duplicate_clips(train, test)
    if not duplicates:
        return 0
    train_index, test_index = duplicates[0]
    first = f"test {names.clip('test', test_index)} = train {names.clip('train', train_index)}"
    if leakage == "error":
        raise AscflowError(
            f"{names.array('X_test')}: {len(duplicates)} clips are exact copies of training clips "
            f"(first: {first}); this leaks the test set."
        )
    warnings.append(
        f"{len(duplicates)} test clips are exact copies of training clips (leakage); first: {first}"
    )
    return len(duplicates)
