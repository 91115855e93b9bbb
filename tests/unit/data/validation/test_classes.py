"""The classes the labels hold: one kind in both splits, at least two, each
trained on, in the order and with the names given, mapped to 0..K-1."""

import numpy as np
import pytest
from ascflow import AscflowError
from ascflow.data.validation import validate_dataset
from ascflow.data.validation.classes import Classes, class_indices, class_names_of, given_class_names
from support import rejects, write_set

# Each bad label array (under its file's stem) and the sentence it must give.
BAD_CLASSES = {
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
}


@pytest.mark.parametrize(("arrays", "message"), BAD_CLASSES.values(), ids=BAD_CLASSES)
def test_bad_array_is_refused_in_one_sentence(tmp_path, arrays, message):
    rejects(write_set(tmp_path, **arrays), message)


def test_a_class_short_of_training_clips_is_named_with_its_clips(tmp_path):
    rejects(
        write_set(tmp_path / "few", y_train=np.array([0] * 6 + [1] * 6), y_test=np.array([0, 1] * 3)),
        r"^y_train\.npy: class 0 has 6 training clip\(s\) "
        r"\(clip 0, clip 1, clip 2, clip 3, clip 4, clip 5\); "
        r"each class needs at least 7 for the stratified validation split\.$",
        min_train_per_class=7,
    )
    # A class only the given names and the test set have: its first test clip is named.
    names = np.array(["bus", "park", "tram"])
    folder = write_set(tmp_path / "given", y_train=names[np.arange(12) % 2], y_test=names[np.arange(6) % 3])
    (folder / "classes.txt").write_text("bus\npark\ntram\n")
    rejects(
        folder,
        r"^y_train\.npy: class tram has 0 training clip\(s\) \(first in the test set: clip 2\); "
        r"each class needs at least 2 for the stratified validation split\.$",
    )


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


def test_class_names_from_file_and_config(tmp_path):
    folder = write_set(tmp_path)
    (folder / "classes.txt").write_text("bus\ncar\ntram\n")
    assert validate_dataset(folder)[0]["class_names"] == ["bus", "car", "tram"]
    assert validate_dataset(folder, class_names=["a", "b", "c"])[0]["class_names"] == ["a", "b", "c"]
    rejects(
        folder, r"config key class_names: lists 2 class names but the labels hold 3", class_names=["a", "b"]
    )


def test_given_names_come_from_the_config_before_classes_txt(tmp_path):
    assert given_class_names(tmp_path, None) == (None, "")
    (tmp_path / "classes.txt").write_text("bus\n\n  car \n")
    assert given_class_names(tmp_path, None) == (["bus", "car"], str(tmp_path / "classes.txt"))
    assert given_class_names(tmp_path, ["x", "y"]) == (["x", "y"], "config key class_names")


def test_names_and_indices_of_the_classes():
    numbers = Classes(np.array([0, 1, 2]), named=False, given=None, source="")
    assert not numbers.mapped and class_names_of(numbers) == ["0", "1", "2"]
    words = Classes(np.array(["bus", "park"]), named=True, given=None, source="")
    assert words.mapped and class_names_of(words) == ["bus", "park"]
    warnings = []
    labels = {"train": np.array(["park", "bus"]), "test": np.array(["bus"])}
    indices = class_indices(labels, words, warnings)
    assert indices["train"].tolist() == [1, 0] and indices["test"].dtype == np.int64 and warnings == []
    shifted = Classes(np.array([3, 7]), named=False, given=["a", "b"], source="classes.txt")
    class_indices({"train": np.array([7, 3]), "test": np.array([3])}, shifted, warnings)
    assert class_names_of(shifted) == ["a", "b"]
    assert warnings == ["labels [3, 7] were mapped to 0..1 in that order"]
    with pytest.raises(
        AscflowError, match=r"^classes\.txt: lists 2 class names but the labels hold 3 classes\.$"
    ):
        class_names_of(Classes(np.array([0, 1, 2]), named=False, given=["a", "b"], source="classes.txt"))
