"""The group files: both splits or neither, one id per clip of one kind,
read as integer codes; a group in both splits is leakage."""

import numpy as np
import pytest
from ascflow.data.validation import validate_dataset
from ascflow.data.validation.groups import read_groups
from support import rejects, write_set


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


def test_without_group_files_there_are_no_groups(tmp_path):
    assert read_groups(write_set(tmp_path), {"train": 12, "test": 6}, "error", []) is None


def test_a_column_of_ids_is_flattened_and_the_shared_group_named(tmp_path):
    folder = write_set(
        tmp_path,
        groups_train=(np.arange(12) // 3)[:, None],
        groups_test=np.array([[9], [9], [3], [3], [9], [9]]),
    )
    warnings = []
    groups = read_groups(folder, {"train": 12, "test": 6}, "warn", warnings)
    assert groups["facts"] == {"train": 4, "test": 2, "shared": 1}
    assert groups["codes"]["test"].tolist() == [4, 4, 3, 3, 4, 4]
    assert warnings == [
        "1 groups (recordings) occur in both the training and the test set (leakage); "
        "first: 3, in training clip 9 and test clip 2"
    ]
    rejects(
        write_set(tmp_path / "floats", groups_train=np.arange(12) * 1.0, groups_test=np.arange(6) * 1.0),
        r"^groups_train\.npy: expected integer or text group ids, got dtype float64\.$",
    )
