"""The label files: every form that needs no guess read as integers or
names and recorded, anything else refused in one sentence."""

import numpy as np
import pytest
from ascflow import AscflowError
from ascflow.data.validation import ClipNames, validate_dataset
from ascflow.data.validation.labels import LABEL_CONVERSIONS, read_labels
from support import rejects, write_set

# Each bad label array (under its file's stem) and the sentence it must give.
BAD_LABELS = {
    "labels-not-whole": ({"y_train": np.full(12, 0.5)}, r"y_train\.npy: 12 labels are not whole numbers"),
    "labels-nan": (
        {"y_test": np.array([0, 1, np.nan, 0, 1, 2])},
        r"y_test\.npy: 1 labels are not whole numbers",
    ),
    "labels-not-1d": ({"y_test": np.zeros((6, 2), dtype=int)}, r"y_test\.npy: expected a 1-D array"),
    "label-count": ({"y_train": np.arange(11) % 3}, r"y_train\.npy: has 11 labels but X_train\.npy has 12"),
    "empty-name": ({"y_train": np.array(["a", "b", "c", ""] * 3)}, r"y_train\.npy: label 3 is empty"),
}


@pytest.mark.parametrize(("arrays", "message"), BAD_LABELS.values(), ids=BAD_LABELS)
def test_bad_array_is_refused_in_one_sentence(tmp_path, arrays, message):
    rejects(write_set(tmp_path, **arrays), message)


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


def test_every_conversion_is_one_the_summary_documents():
    forms = {
        "booleans": np.array([True, False, True]),
        "names": np.array([b"bus", b"park", b"bus"]),
        "whole_floats": np.array([1.0, 0.0, 2.0]),
        "column_vector": np.array([[1], [0], [2]]),
    }
    for conversion, labels in forms.items():
        values, conversions = read_labels("train", labels, 3, ClipNames())
        assert conversions == [conversion] and set(conversions) <= set(LABEL_CONVERSIONS)
        assert values.ndim == 1 and values.dtype.kind in "iU"
    assert read_labels("train", np.array([True, False, True]), 3, ClipNames())[0].tolist() == [1, 0, 1]
    assert read_labels("train", np.array([2, 0, 1], dtype=np.uint8), 3, ClipNames())[1] == []


def test_labels_of_no_class_kind_are_refused():
    with pytest.raises(
        AscflowError, match=r"^y_test\.npy: expected integer class labels or names, got dtype complex64\.$"
    ):
        read_labels("test", np.zeros(3, dtype=np.complex64), 3, ClipNames())
