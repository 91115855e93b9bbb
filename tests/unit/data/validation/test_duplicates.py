"""Test clips that copy training clips: found byte for byte across chunks,
a warning by default and a stop on request."""

import numpy as np
import pytest
from ascflow import AscflowError
from ascflow.data.validation import ClipNames, validate_dataset
from ascflow.data.validation.duplicates import check_duplicates, duplicate_clips
from ascflow.files import CHUNK_CLIPS
from support import rejects, write_set


def test_duplicate_clips_warn_by_default_and_fail_on_request(tmp_path):
    rng = np.random.default_rng(1)
    train = rng.normal(size=(12, 5, 7)).astype(np.float32)
    test = rng.normal(size=(6, 5, 7)).astype(np.float32)
    test[4] = train[10]
    folder = write_set(tmp_path, X_train=train, X_test=test)
    summary, *_ = validate_dataset(folder)
    assert summary["duplicate_clips"] == 1 and "leakage" in summary["warnings"][0]
    rejects(folder, r"X_test\.npy: 1 clips are exact copies .*test clip 4 = train clip 10", leakage="error")


def test_copies_are_found_across_chunks_and_paired_with_the_first_training_clip():
    train = np.random.default_rng(3).normal(size=(CHUNK_CLIPS + 4, 2, 3)).astype(np.float32)
    train[CHUNK_CLIPS + 2] = train[1]  # the same clip twice in training
    test = np.stack([train[CHUNK_CLIPS + 3], np.zeros((2, 3), np.float32), train[1]])
    assert duplicate_clips(train, test) == [(CHUNK_CLIPS + 3, 0), (1, 2)]


def test_no_copies_no_warning():
    warnings = []
    train, test = np.zeros((2, 1, 1)), np.ones((2, 1, 1))
    assert check_duplicates(train, test, "error", warnings, ClipNames()) == 0 and warnings == []
    assert check_duplicates(train, train[:1], "warn", warnings, ClipNames()) == 1
    assert warnings == [
        "1 test clips are exact copies of training clips (leakage); first: test clip 0 = train clip 0"
    ]
    with pytest.raises(AscflowError, match=r"^X_test\.npy: 1 clips are exact copies"):
        check_duplicates(train, train[:1], "error", [], ClipNames())
