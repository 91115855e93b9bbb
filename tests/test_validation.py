"""validate_dataset accepts good data and rejects each kind of bad file with
one sentence that names the file."""

import pickle

import numpy as np
import pytest
from ascflow import AscflowError
from ascflow.data.validation import validate_dataset


def write_set(folder, n_train=12, n_test=6, shape=(5, 7), classes=3, seed=0, **overrides):
    rng = np.random.default_rng(seed)
    arrays = {
        "X_train": rng.normal(size=(n_train, *shape)).astype(np.float32),
        "y_train": np.arange(n_train) % classes,
        "X_test": rng.normal(size=(n_test, *shape)).astype(np.float32),
        "y_test": np.arange(n_test) % classes,
    }
    arrays.update(overrides)
    folder.mkdir(parents=True, exist_ok=True)
    for stem, array in arrays.items():
        np.save(folder / f"{stem}.npy", array)
    return folder


def rejects(folder, match, **kwargs):
    with pytest.raises(AscflowError, match=match) as caught:
        validate_dataset(folder, **kwargs)
    message = str(caught.value)
    assert "\n" not in message and "Traceback" not in message
    return message


def test_good_data_summary(tmp_path):
    summary, labels = validate_dataset(write_set(tmp_path))
    assert summary["n_classes"] == 3 and summary["n_features"] == 5 and summary["n_frames"] == 7
    assert summary["class_counts"] == {"train": [4, 4, 4], "test": [2, 2, 2]}
    assert len(summary["files"]["X_train.npy"]["sha256"]) == 64
    assert summary["class_names"] == ["0", "1", "2"] and summary["warnings"] == []
    assert labels["train"].tolist() == (np.arange(12) % 3).tolist()


def test_missing_file(tmp_path):
    folder = write_set(tmp_path)
    (folder / "y_test.npy").unlink()
    rejects(folder, r"y_test\.npy: file not found")


def test_pickled_array_is_refused_without_unpickling(tmp_path):
    folder = write_set(tmp_path)
    np.save(folder / "X_train.npy", np.array([{"a": 1}] * 12, dtype=object), allow_pickle=True)
    rejects(folder, r"X_train\.npy: holds Python objects")


def test_plain_pickle_is_refused(tmp_path):
    folder = write_set(tmp_path)
    (folder / "X_test.npy").write_bytes(pickle.dumps(np.zeros((6, 5, 7))))
    rejects(folder, r"X_test\.npy: is a pickle, not a \.npy file")


def test_not_an_npy_file(tmp_path):
    folder = write_set(tmp_path)
    (folder / "X_train.npy").write_text("hello")
    rejects(folder, r"X_train\.npy: not a \.npy file")


def test_nan_values_are_counted_and_located(tmp_path):
    x = np.zeros((12, 5, 7), dtype=np.float32)
    x[5, 0, 0] = x[9, 1, 1] = x[9, 2, 2] = np.nan
    rejects(write_set(tmp_path, X_train=x), r"X_train\.npy: 3 values are NaN \(first in clip 5\)")


def test_infinite_values(tmp_path):
    x = np.zeros((6, 5, 7), dtype=np.float32)
    x[2, 0, 0] = np.inf
    rejects(write_set(tmp_path, X_test=x), r"X_test\.npy: 1 values are infinite \(first in clip 2\)")


def test_features_must_be_3d(tmp_path):
    rejects(write_set(tmp_path, X_train=np.zeros((12, 35))), r"X_train\.npy: expected a 3-D array")


def test_features_must_be_numeric(tmp_path):
    rejects(write_set(tmp_path, X_train=np.zeros((12, 5, 7), dtype=bool)), r"X_train\.npy: expected numeric")


def test_integer_features_are_accepted(tmp_path):
    summary, _ = validate_dataset(write_set(tmp_path, X_train=np.ones((12, 5, 7), dtype=np.int16)))
    assert summary["value_range"]["train"] == {"min": 1.0, "max": 1.0}


def test_labels_must_be_integers(tmp_path):
    rejects(write_set(tmp_path, y_train=np.zeros(12)), r"y_train\.npy: expected integer class labels")


def test_labels_must_be_1d(tmp_path):
    rejects(write_set(tmp_path, y_test=np.zeros((6, 1), dtype=int)), r"y_test\.npy: expected a 1-D array")


def test_clip_and_label_counts_must_match(tmp_path):
    rejects(
        write_set(tmp_path, y_train=np.arange(11) % 3), r"y_train\.npy: has 11 labels but X_train\.npy has 12"
    )


def test_train_and_test_shapes_must_match(tmp_path):
    folder = write_set(tmp_path, X_test=np.zeros((6, 5, 8), dtype=np.float32))
    rejects(folder, r"X_test\.npy: clips are 5 x 8 .* X_train\.npy's are 5 x 7")


def test_test_class_missing_from_training(tmp_path):
    rejects(
        write_set(tmp_path, y_test=np.array([0, 1, 2, 3, 0, 1])),
        r"y_test\.npy: class 3 occurs in the test set",
    )


def test_each_class_needs_two_training_clips(tmp_path):
    labels = np.array([0] * 6 + [1] * 5 + [2])
    rejects(write_set(tmp_path, y_train=labels), r"y_train\.npy: class 2 has 1 training clip")


def test_single_class_is_refused(tmp_path):
    rejects(write_set(tmp_path, y_train=np.zeros(12, dtype=int), y_test=np.zeros(6, dtype=int)), "at least 2")


def test_labels_are_mapped_to_a_range_and_recorded(tmp_path):
    folder = write_set(tmp_path, y_train=np.array([3, 7, 9] * 4), y_test=np.array([9, 3, 7] * 2))
    summary, labels = validate_dataset(folder)
    assert summary["labels_mapped"] and summary["label_values"] == [3, 7, 9]
    assert labels["test"].tolist() == [2, 0, 1] * 2
    assert any("mapped" in warning for warning in summary["warnings"])


def test_duplicate_clips_warn_by_default_and_fail_on_request(tmp_path):
    rng = np.random.default_rng(1)
    train = rng.normal(size=(12, 5, 7)).astype(np.float32)
    test = rng.normal(size=(6, 5, 7)).astype(np.float32)
    test[4] = train[10]
    folder = write_set(tmp_path, X_train=train, X_test=test)
    summary, _ = validate_dataset(folder)
    assert summary["duplicate_clips"] == 1 and "leakage" in summary["warnings"][0]
    rejects(folder, r"X_test\.npy: 1 clips are exact copies .*test clip 4 = train clip 10", leakage="error")


def test_class_names_from_file_and_config(tmp_path):
    folder = write_set(tmp_path)
    (folder / "classes.txt").write_text("bus\ncar\ntram\n")
    assert validate_dataset(folder)[0]["class_names"] == ["bus", "car", "tram"]
    assert validate_dataset(folder, class_names=["a", "b", "c"])[0]["class_names"] == ["a", "b", "c"]
    rejects(
        folder, r"config key class_names: lists 2 class names but the labels hold 3", class_names=["a", "b"]
    )


def test_band_statistics_come_from_training_data(tmp_path):
    train = np.zeros((12, 5, 7), dtype=np.float32)
    train[:, 2, :] = 4.0
    train[::2, 3, :] = 2.0
    summary, _ = validate_dataset(
        write_set(tmp_path, X_train=train, X_test=np.full((6, 5, 7), 100, np.float32))
    )
    assert summary["train_band_mean"] == pytest.approx([0, 0, 4, 1, 0])
    assert summary["train_band_std"] == pytest.approx([0, 0, 0, 1, 0])


def test_truncated_npy_file(tmp_path):
    folder = write_set(tmp_path)
    data = (folder / "X_train.npy").read_bytes()
    (folder / "X_train.npy").write_bytes(data[: len(data) // 2])
    rejects(folder, r"X_train\.npy: not a readable \.npy file")
