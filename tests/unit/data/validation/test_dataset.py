"""validate_dataset composes the checks into the summary every model and
metrics file refers to: good data passes, the summary's keys and the
fingerprint follow the content, and data without groups is split clip by
clip. Each check's own sentences are tested beside it (test_<check>.py)."""

import os

import numpy as np
import pytest
from ascflow import AscflowError
from ascflow.data.validation import data_digests, validate_dataset
from ascflow.data.validation.dataset import data_fingerprint
from support import rejects, write_set


def test_good_data_summary(tmp_path):
    summary, labels, _ = validate_dataset(write_set(tmp_path))
    assert summary["n_classes"] == 3 and summary["n_features"] == 5 and summary["n_frames"] == 7
    assert summary["class_counts"] == {"train": [4, 4, 4], "test": [2, 2, 2]}
    assert len(summary["files"]["X_train.npy"]["sha256"]) == 64
    assert summary["class_names"] == ["0", "1", "2"] and summary["warnings"] == []
    assert labels["train"].tolist() == (np.arange(12) % 3).tolist()
    assert summary["label_conversions"] == {} and len(summary["fingerprint"]) == 64


def test_summary_keys_keep_their_order(tmp_path):
    # The summary is written as JSON as it is built: its order is what a reader sees.
    folder = write_set(tmp_path, groups_train=np.arange(12) // 3, groups_test=np.arange(6) // 3 + 10)
    summary = validate_dataset(folder)[0]
    assert list(summary) == [
        "data_dir",
        "files",
        "warnings",
        "n_features",
        "n_frames",
        "n_classes",
        "class_names",
        "label_values",
        "labels_mapped",
        "label_conversions",
        "class_counts",
        "value_range",
        "duplicate_clips",
        "train_band_mean",
        "train_band_std",
        "groups",
        "fingerprint",
    ]
    assert list(summary["files"]) == [
        "X_train.npy",
        "y_train.npy",
        "X_test.npy",
        "y_test.npy",
        "groups_train.npy",
        "groups_test.npy",
    ]
    assert summary["files"]["groups_train.npy"]["shape"] == [12] and summary[
        "fingerprint"
    ] == data_fingerprint(summary)


def test_fingerprint_follows_the_content_and_the_state_the_file_on_disk(tmp_path):
    folder = write_set(tmp_path / "a")
    fingerprint, state = validate_dataset(folder)[0]["fingerprint"], data_digests(folder)
    assert validate_dataset(write_set(tmp_path / "b"))[0]["fingerprint"] == fingerprint  # same content
    path = folder / "X_test.npy"
    times = path.stat()
    replacement = np.zeros((6, 5, 7), dtype=np.float32)
    np.save(path, replacement)

    os.utime(path, ns=(times.st_atime_ns, times.st_mtime_ns))  # as `cp -p` leaves it
    assert data_digests(folder)["X_test.npy"] != state["X_test.npy"]
    assert validate_dataset(folder)[0]["fingerprint"] != fingerprint
    path.unlink()
    with pytest.raises(AscflowError, match=r"X_test\.npy: file not found"):
        data_digests(folder)


def test_fingerprint_follows_the_class_names_too(tmp_path):
    folder = write_set(tmp_path)
    plain = validate_dataset(folder)[0]["fingerprint"]
    assert validate_dataset(folder, class_names=["a", "b", "c"])[0]["fingerprint"] != plain


def test_without_groups_every_clip_is_its_own(tmp_path):
    summary, _, groups = validate_dataset(write_set(tmp_path))
    assert summary["groups"] is None and groups["train"].tolist() == list(range(12))


def test_of_several_problems_the_first_check_is_told(tmp_path):
    # Labels of the wrong length and clips of another shape: the labels are read first.
    folder = write_set(tmp_path, y_train=np.arange(11) % 3, X_test=np.zeros((6, 5, 8), dtype=np.float32))
    rejects(folder, r"^y_train\.npy: has 11 labels but X_train\.npy has 12 clips\.$")
