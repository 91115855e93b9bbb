"""A data folder's files: found by name, digested by content, and read
without ever unpickling them; each bad file refused in one sentence."""

import pickle

import numpy as np
import pytest
from ascflow import AscflowError
from ascflow.data.validation import data_digests, data_paths, group_paths, load_array
from support import rejects, write_set

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


@pytest.mark.parametrize(("spoil", "message"), BAD_FILES.values(), ids=BAD_FILES)
def test_digests_refuse_a_bad_file_as_validation_does(tmp_path, spoil, message):
    folder = write_set(tmp_path)
    spoil(folder)
    with pytest.raises(AscflowError, match=message):
        data_digests(folder)


def test_paths_name_the_four_files_and_the_group_files_there(tmp_path):
    folder = write_set(tmp_path)
    assert list(data_paths(folder)) == ["X_train", "y_train", "X_test", "y_test"]
    assert data_paths(folder)["y_test"] == folder / "y_test.npy" and group_paths(folder) == {}
    np.save(folder / "groups_test.npy", np.arange(6))
    assert group_paths(folder) == {"groups_test": folder / "groups_test.npy"}


def test_arrays_are_memory_mapped(tmp_path):
    array = load_array(write_set(tmp_path) / "X_train.npy")
    assert isinstance(array, np.memmap) and array.shape == (12, 5, 7)


def test_digests_cover_groups_and_classes_and_refuse_a_missing_folder(tmp_path):
    folder = write_set(tmp_path / "data", groups_train=np.arange(12), groups_test=np.arange(6))
    (folder / "classes.txt").write_text("a\nb\nc\n")
    digests = data_digests(folder)
    assert set(digests) == {f"{stem}.npy" for stem in data_paths(folder)} | {
        "groups_train.npy",
        "groups_test.npy",
        "classes.txt",
    }
    assert all(len(digest) == 64 for digest in digests.values())
    with pytest.raises(AscflowError, match=r"^data_dir .*/nowhere: no such folder\.$"):
        data_digests(tmp_path / "nowhere")


def test_optional_files_are_of_both_splits_or_none(tmp_path):
    from ascflow.data.validation.folder import GROUP_FILES, both_splits_or_none

    assert both_splits_or_none(group_paths(tmp_path), tmp_path, GROUP_FILES, "group ids") is None
    np.save(tmp_path / "groups_train.npy", np.arange(3))
    with pytest.raises(AscflowError) as raised:
        both_splits_or_none(group_paths(tmp_path), tmp_path, GROUP_FILES, "group ids")
    assert str(raised.value) == (
        f"{tmp_path / 'groups_test.npy'}: missing, while the other split has group ids; give both or none."
    )
    np.save(tmp_path / "groups_test.npy", np.arange(2))
    found = both_splits_or_none(group_paths(tmp_path), tmp_path, GROUP_FILES, "group ids")
    assert found == {"train": tmp_path / "groups_train.npy", "test": tmp_path / "groups_test.npy"}
