"""validate_dataset accepts good data, reads every unambiguous label form,
and rejects each kind of bad file with one sentence that names the file."""

import os
import pickle

import numpy as np
import pytest
from ascflow import AscflowError
from ascflow.data.validation import data_digests, validate_dataset


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
    summary, labels, _ = validate_dataset(write_set(tmp_path))
    assert summary["n_classes"] == 3 and summary["n_features"] == 5 and summary["n_frames"] == 7
    assert summary["class_counts"] == {"train": [4, 4, 4], "test": [2, 2, 2]}
    assert len(summary["files"]["X_train.npy"]["sha256"]) == 64
    assert summary["class_names"] == ["0", "1", "2"] and summary["warnings"] == []
    assert labels["train"].tolist() == (np.arange(12) % 3).tolist()
    assert summary["label_conversions"] == {} and len(summary["fingerprint"]) == 64


def _nan_at(*clips):
    x = np.zeros((12, 5, 7), dtype=np.float32)
    for clip, (band, frame) in zip(clips, [(0, 0), (1, 1), (2, 2)], strict=False):
        x[clip, band, frame] = np.nan
    return x


def _inf_at_clip_2():
    x = np.zeros((6, 5, 7), dtype=np.float32)
    x[2, 0, 0] = np.inf
    return x


def _beyond_float32_at_clip_4():
    x = np.zeros((12, 5, 7), dtype=np.float64)
    x[4, 1, 1] = x[7, 0, 0] = 1e39
    return x


# Each bad array (under its file's stem) and the sentence it must give.
BAD_ARRAYS = {
    "nan-counted-and-located": (
        {"X_train": _nan_at(5, 9, 9)},
        r"X_train\.npy: 3 values are NaN \(first in clip 5\)",
    ),
    "infinite": ({"X_test": _inf_at_clip_2()}, r"X_test\.npy: 1 values are infinite \(first in clip 2\)"),
    "beyond-float32": (
        {"X_train": _beyond_float32_at_clip_4()},
        r"X_train\.npy: 2 values lie beyond float32's range .*\(first in clip 4\)",
    ),
    "features-not-3d": ({"X_train": np.zeros((12, 35))}, r"X_train\.npy: expected a 3-D array"),
    "features-not-numeric": (
        {"X_train": np.zeros((12, 5, 7), dtype=bool)},
        r"X_train\.npy: expected numeric",
    ),
    "labels-not-whole": ({"y_train": np.full(12, 0.5)}, r"y_train\.npy: 12 labels are not whole numbers"),
    "labels-nan": (
        {"y_test": np.array([0, 1, np.nan, 0, 1, 2])},
        r"y_test\.npy: 1 labels are not whole numbers",
    ),
    "labels-not-1d": ({"y_test": np.zeros((6, 2), dtype=int)}, r"y_test\.npy: expected a 1-D array"),
    "label-count": ({"y_train": np.arange(11) % 3}, r"y_train\.npy: has 11 labels but X_train\.npy has 12"),
    "shapes-differ": (
        {"X_test": np.zeros((6, 5, 8), dtype=np.float32)},
        r"X_test\.npy: clips are 5 x 8 .* X_train\.npy's are 5 x 7",
    ),
    "test-class-unseen": (
        {"y_test": np.array([0, 1, 2, 3, 0, 1])},
        r"y_test\.npy: class 3 occurs in the test set",
    ),
    "class-too-rare": (
        {"y_train": np.array([0] * 6 + [1] * 5 + [2])},
        r"y_train\.npy: class 2 has 1 training clip",
    ),
    "single-class": ({"y_train": np.zeros(12, dtype=int), "y_test": np.zeros(6, dtype=int)}, "at least 2"),
    "names-and-numbers": (
        {"y_train": np.array(["a", "b", "c"] * 4)},
        r"y_test\.npy: labels are numbers but y_train\.npy's are names",
    ),
    "empty-name": ({"y_train": np.array(["a", "b", "c", ""] * 3)}, r"y_train\.npy: label 3 is empty"),
}


@pytest.mark.parametrize(("arrays", "message"), BAD_ARRAYS.values(), ids=BAD_ARRAYS)
def test_bad_array_is_refused_in_one_sentence(tmp_path, arrays, message):
    rejects(write_set(tmp_path, **arrays), message)


# Each way of spoiling a file on disk and the sentence it must give.
BAD_FILES = {
    "missing": (lambda folder: (folder / "y_test.npy").unlink(), r"y_test\.npy: file not found"),
    "pickled-object-array": (
        lambda folder: np.save(
            folder / "X_train.npy", np.array([{"a": 1}] * 12, dtype=object), allow_pickle=True
        ),
        r"X_train\.npy: holds Python objects",
    ),
    "plain-pickle": (
        lambda folder: (folder / "X_test.npy").write_bytes(pickle.dumps(np.zeros((6, 5, 7)))),
        r"X_test\.npy: is a pickle, not a \.npy file",
    ),
    "not-npy": (
        lambda folder: (folder / "X_train.npy").write_text("hello"),
        r"X_train\.npy: not a \.npy file",
    ),
    "truncated": (
        lambda folder: (folder / "X_train.npy").write_bytes((folder / "X_train.npy").read_bytes()[:200]),
        r"X_train\.npy: not a readable \.npy file",
    ),
}


@pytest.mark.parametrize(("spoil", "message"), BAD_FILES.values(), ids=BAD_FILES)
def test_bad_file_is_refused_in_one_sentence(tmp_path, spoil, message):
    folder = write_set(tmp_path)
    spoil(folder)
    rejects(folder, message)


def test_integer_features_are_accepted(tmp_path):
    summary, *_ = validate_dataset(write_set(tmp_path, X_train=np.ones((12, 5, 7), dtype=np.int16)))
    assert summary["value_range"]["train"] == {"min": 1.0, "max": 1.0}


# Label forms as users have them, each read as the same three classes.
LABEL_FORMS = {
    "whole-floats": (np.arange(12) % 3 * 1.0, np.arange(6) % 3 * 1.0, ["whole_floats"]),
    "column-vector": ((np.arange(12) % 3)[:, None], (np.arange(6) % 3)[:, None], ["column_vector"]),
    "float-column": ((np.arange(12) % 3 * 1.0)[:, None], np.arange(6) % 3, ["column_vector", "whole_floats"]),
}


@pytest.mark.parametrize(("train", "test", "conversions"), LABEL_FORMS.values(), ids=LABEL_FORMS)
def test_unambiguous_label_forms_are_read_and_recorded(tmp_path, train, test, conversions):
    summary, labels, _ = validate_dataset(write_set(tmp_path, y_train=train, y_test=test))
    assert labels["train"].tolist() == (np.arange(12) % 3).tolist()
    assert labels["train"].dtype == np.int64 and labels["test"].tolist() == (np.arange(6) % 3).tolist()
    assert summary["label_conversions"]["y_train.npy"] == conversions
    assert summary["label_values"] == [0, 1, 2] and not summary["labels_mapped"]


def test_scene_names_as_labels_become_the_class_names(tmp_path):
    names = np.array(["park", "bus", "tram"])
    folder = write_set(tmp_path, y_train=names[np.arange(12) % 3], y_test=names[np.arange(6) % 3])
    summary, labels, _ = validate_dataset(folder)
    assert summary["class_names"] == ["bus", "park", "tram"]  # sorted, as numbers are
    assert labels["train"][:3].tolist() == [1, 0, 2]
    assert summary["label_conversions"] == {"y_train.npy": ["names"], "y_test.npy": ["names"]}
    # Given names fix the order, and must name every label.
    (folder / "classes.txt").write_text("tram\npark\nbus\n")
    summary, labels, _ = validate_dataset(folder)
    assert summary["class_names"] == ["tram", "park", "bus"] and labels["train"][:3].tolist() == [1, 2, 0]
    rejects(
        folder,
        r"y_train\.npy: label 'tram' is not among the class names of config key class_names",
        class_names=["bus", "park"],
    )


def test_labels_are_mapped_to_a_range_and_recorded(tmp_path):
    folder = write_set(tmp_path, y_train=np.array([3, 7, 9] * 4), y_test=np.array([9, 3, 7] * 2))
    summary, labels, _ = validate_dataset(folder)
    assert summary["labels_mapped"] and summary["label_values"] == [3, 7, 9]
    assert labels["test"].tolist() == [2, 0, 1] * 2
    assert any("mapped" in warning for warning in summary["warnings"])


def test_duplicate_clips_warn_by_default_and_fail_on_request(tmp_path):
    rng = np.random.default_rng(1)
    train = rng.normal(size=(12, 5, 7)).astype(np.float32)
    test = rng.normal(size=(6, 5, 7)).astype(np.float32)
    test[4] = train[10]
    folder = write_set(tmp_path, X_train=train, X_test=test)
    summary, *_ = validate_dataset(folder)
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
    summary, *_ = validate_dataset(
        write_set(tmp_path, X_train=train, X_test=np.full((6, 5, 7), 100, np.float32))
    )
    assert summary["train_band_mean"] == pytest.approx([0, 0, 4, 1, 0])
    assert summary["train_band_std"] == pytest.approx([0, 0, 0, 1, 0])


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


def test_groups_are_read_and_a_shared_group_is_leakage(tmp_path):
    folder = write_set(tmp_path, groups_train=np.arange(12) // 3, groups_test=np.arange(6) // 3 + 10)
    summary, _, groups = validate_dataset(folder)
    assert (
        summary["groups"] == {"train": 4, "test": 2, "shared": 0} and "groups_train.npy" in summary["files"]
    )
    assert groups["train"].tolist() == (np.arange(12) // 3).tolist() and groups["test"].tolist() == [
        4,
        4,
        4,
        5,
        5,
        5,
    ]
    # Text ids (locations, say) work too; one in both splits is leakage.
    names = np.array(["home-1", "home-2", "park-1", "park-2"])
    folder = write_set(
        tmp_path / "named", groups_train=names[np.arange(12) // 3], groups_test=names[[0, 0, 0, 1, 1, 1]]
    )
    summary, *_ = validate_dataset(folder)
    assert summary["groups"]["shared"] == 2 and "groups (recordings) occur in both" in summary["warnings"][0]
    rejects(
        folder, r"groups_test\.npy: 2 groups \(recordings\) occur in the training set too", leakage="error"
    )


def test_without_groups_every_clip_is_its_own(tmp_path):
    summary, _, groups = validate_dataset(write_set(tmp_path))
    assert summary["groups"] is None and groups["train"].tolist() == list(range(12))


@pytest.mark.parametrize(
    ("arrays", "message"),
    [
        ({"groups_train": np.arange(12)}, r"groups_test\.npy: missing, while the other split has group ids"),
        (
            {"groups_train": np.arange(11), "groups_test": np.arange(6)},
            r"groups_train\.npy: expected one group id per clip",
        ),
        (
            {"groups_train": np.arange(12), "groups_test": np.array(["a"] * 6)},
            r"groups_test\.npy: its ids are of another kind",
        ),
    ],
    ids=["one-split-only", "wrong-length", "mixed-kinds"],
)
def test_bad_groups_are_one_sentence(tmp_path, arrays, message):
    rejects(write_set(tmp_path, **arrays), message)
