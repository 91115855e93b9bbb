"""The optional group files: one recording (or location) id per clip in both
splits or in neither, of one kind; a group in both splits leaks the test
set, a warning or (``leakage: error``) a stop. The grouped validation splits
keep each group on one side."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ascflow.data.validation.folder import GROUP_FILES, both_splits_or_none, group_paths, load_array
from ascflow.data.validation.names import ClipNames, first_index
from ascflow.errors import AscflowError


def _read_groups(split: str, groups: np.ndarray, n_clips: int, names: ClipNames) -> np.ndarray:
    """One group id per clip, as integers or names (a column is flattened)."""
    name = names.array(f"groups_{split}")
    if groups.ndim == 2 and groups.shape[1] == 1:
        groups = groups[:, 0]
    if groups.ndim != 1 or groups.shape[0] != n_clips:
        raise AscflowError(
            f"{name}: expected one group id per clip of {names.array(f'X_{split}')} ({n_clips}), "
            f"got shape {groups.shape}."
        )
    if groups.dtype.kind in "iub":
        return np.asarray(groups, dtype=np.int64)
    if groups.dtype.kind in "US":
        return np.asarray(groups).astype(str)
    raise AscflowError(f"{name}: expected integer or text group ids, got dtype {groups.dtype}.")


def read_groups(
    data_dir: Path, n_clips: dict[str, int], leakage: str, warnings: list[str], names: ClipNames | None = None
) -> dict | None:
    """The groups of both splits as integer codes (None without group files),
    with the facts the summary records; a group on both sides is leakage."""
    names = names or ClipNames()
    paths = both_splits_or_none(group_paths(data_dir), data_dir, GROUP_FILES, "group ids")
    if paths is None:
        return None
    raw = {
        split: _read_groups(split, load_array(path), n_clips[split], names) for split, path in paths.items()
    }
    if raw["train"].dtype.kind != raw["test"].dtype.kind:
        raise AscflowError(
            f"{names.array('groups_test')}: its ids are of another kind (numbers or names) than "
            f"{names.array('groups_train')}'s."
        )
    _, codes = np.unique(np.concatenate([raw["train"], raw["test"]]), return_inverse=True)
    shared = np.intersect1d(raw["train"], raw["test"])
    if shared.size:
        _shared_groups(shared, raw, leakage, warnings, names)
    split_at = raw["train"].size
    return {
        "codes": {"train": codes[:split_at].astype(np.int64), "test": codes[split_at:].astype(np.int64)},
        "facts": {
            "train": int(np.unique(raw["train"]).size),
            "test": int(np.unique(raw["test"]).size),
            "shared": int(shared.size),
        },
    }


def _shared_groups(
    shared: np.ndarray, groups: dict[str, np.ndarray], leakage: str, warnings: list[str], names: ClipNames
) -> None:
    """Groups (recordings) in both splits stop the run under ``leakage:
    error``, else they are a warning naming the first and its clips."""
    first = (
        f"{shared[0]}, in training {names.clip('train', first_index(groups['train'], shared[0]))} "
        f"and test {names.clip('test', first_index(groups['test'], shared[0]))}"
    )
    if leakage == "error":
        raise AscflowError(
            f"{names.array('groups_test')}: {shared.size} groups (recordings) occur in the training set too "
            f"(first: {first}); this leaks the test set."
        )
    warnings.append(
        f"{shared.size} groups (recordings) occur in both the training and the test set (leakage); "
        f"first: {first}"
    )
