"""Safe loading and validation of a data folder of four ``.npy`` files.

Every check that fails raises :class:`AscflowError` with one sentence that
names the file and the problem. Arrays are memory-mapped and scanned in
chunks, so validating the reference-size data takes little memory.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ascflow.errors import AscflowError
from ascflow.files import CHUNK_CLIPS, cached_file_digests, content_digest, file_digest

SPLITS = ("train", "test")
DATA_FILES = tuple(f"{kind}_{split}.npy" for split in SPLITS for kind in ("X", "y"))
CLASSES_FILE = "classes.txt"
NPY_MAGIC = b"\x93NUMPY"
#: The largest magnitude the models can compute with (float32).
FLOAT32_MAX = float(np.finfo(np.float32).max)
#: Pickles of protocol 2 and later start with this opcode.
PICKLE_PROTOCOL_BYTE = b"\x80"


#: Optional: one recording (or location) id per clip, integers or names.
GROUP_FILES = tuple(f"groups_{split}.npy" for split in SPLITS)
#: Training clips each class needs at least: the networks' validation split
#: is stratified, and takes one of them.
MIN_TRAIN_PER_CLASS = 2


class ClipNames:
    """How validation's sentences name what they found: a data folder's
    files (``X_train.npy``) and clips by position (``clip 5``). Arrays
    gathered from recordings name the recordings and the table rows that
    list them instead (:class:`ascflow.data.audio_folder.RecordingNames`):
    the user wrote those, not the arrays."""

    def array(self, stem: str) -> str:
        """What a sentence about the array ``stem`` (``y_train``) names."""
        return f"{stem}.npy"

    def clip(self, split: str, index: int) -> str:
        """What a sentence names for clip ``index`` of ``split``."""
        return f"clip {index}"


def data_paths(data_dir: str | Path) -> dict[str, Path]:
    """The four expected files of a data folder, keyed by stem (``X_train``)."""
    folder = Path(data_dir)
    return {name.removesuffix(".npy"): folder / name for name in DATA_FILES}


def group_paths(data_dir: str | Path) -> dict[str, Path]:
    """The optional group files of a data folder that exist, by stem (``groups_train``)."""
    folder = Path(data_dir)
    return {name.removesuffix(".npy"): folder / name for name in GROUP_FILES if (folder / name).is_file()}


def data_digests(data_dir: str | Path, cache_path: str | Path | None = None) -> dict[str, str]:
    """Check that each data file is there and readable as ``.npy`` (its
    header, not its data); return the SHA-256 of each file, by name.

    The content identifies a file, not where it lies or its times: a file
    replaced in place with its old modification time (``cp -p``, an archive
    restore), which Snakemake's own modification-time check misses, has
    another digest, and a data folder copied or moved with its project has
    the same. The digests are remembered in ``cache_path`` against each
    file's state (:func:`ascflow.files.cached_file_digests`). Raises
    :class:`AscflowError` naming the first missing or unreadable file.
    """
    folder = Path(data_dir)
    if not folder.is_dir():
        raise AscflowError(f"data_dir {folder}: no such folder.")
    paths = []
    for path in [*data_paths(folder).values(), *group_paths(folder).values(), folder / CLASSES_FILE]:
        if path.name == CLASSES_FILE and not path.is_file():
            continue
        if path.suffix == ".npy":
            load_array(path)
        elif not os.access(path, os.R_OK):
            raise AscflowError(f"{path}: cannot be read.")
        paths.append(path)
    digests = cached_file_digests(paths, cache_path)
    return {path.name: digests[str(path)] for path in paths}


def load_array(path: str | Path) -> np.ndarray:
    """Memory-map a ``.npy`` file without ever unpickling it."""
    path = Path(path)
    if not path.is_file():
        raise AscflowError(f"{path}: file not found.")
    with open(path, "rb") as handle:
        magic = handle.read(len(NPY_MAGIC))
    if magic[:1] == PICKLE_PROTOCOL_BYTE:
        raise AscflowError(f"{path}: is a pickle, not a .npy file; save it with numpy.save.")
    if magic != NPY_MAGIC:
        raise AscflowError(f"{path}: not a .npy file (an .npz archive, text or another format?).")
    try:
        return np.load(path, mmap_mode="r", allow_pickle=False)
    except ValueError as error:
        if "object" in str(error).lower() or "pickle" in str(error).lower():
            raise AscflowError(
                f"{path}: holds Python objects (a pickled array); save a numeric array instead."
            ) from None
        raise AscflowError(f"{path}: not a readable .npy file ({error}).") from None
    except (OSError, EOFError) as error:
        raise AscflowError(f"{path}: not a readable .npy file ({error}).") from None


def _first(values: np.ndarray, value) -> int:
    """Where ``value`` first occurs in ``values``."""
    return int(np.flatnonzero(values == value)[0])


def _check_features(split: str, features: np.ndarray, names: ClipNames) -> dict:
    """X must be 3-D, numeric and finite; returns its value range."""
    name = names.array(f"X_{split}")
    if features.ndim != 3:
        raise AscflowError(
            f"{name}: expected a 3-D array (clips, features, time), got shape {features.shape}."
        )
    if features.dtype == bool or not np.issubdtype(features.dtype, np.number):
        raise AscflowError(f"{name}: expected numeric values, got dtype {features.dtype}.")
    if np.issubdtype(features.dtype, np.complexfloating):
        raise AscflowError(f"{name}: expected real values, got dtype {features.dtype}.")
    if features.shape[0] == 0 or features.shape[1] == 0 or features.shape[2] == 0:
        raise AscflowError(f"{name}: the array is empty (shape {features.shape}).")
    low, high = np.inf, -np.inf
    for start in range(0, features.shape[0], CHUNK_CLIPS):
        chunk = np.asarray(features[start : start + CHUNK_CLIPS])  # in the file's own dtype
        if not np.isfinite(chunk).all():
            _raise_not_finite(split, features, start, names)
        chunk_low, chunk_high = float(chunk.min()), float(chunk.max())
        if max(-chunk_low, chunk_high) > FLOAT32_MAX:
            _raise_beyond_float32(split, features, start, names)
        low, high = min(low, chunk_low), max(high, chunk_high)
    return {"min": low, "max": high}


def _raise_beyond_float32(split: str, features: np.ndarray, first_chunk: int, names: ClipNames) -> None:
    """Values finite in the file's dtype but too large for float32, in which
    the features are computed."""
    count, first_clip = 0, None
    for start in range(first_chunk, features.shape[0], CHUNK_CLIPS):
        beyond = np.abs(np.asarray(features[start : start + CHUNK_CLIPS], dtype=np.float64)) > FLOAT32_MAX
        count += int(beyond.sum())
        clips = np.flatnonzero(beyond.any(axis=(1, 2)))
        if first_clip is None and clips.size:
            first_clip = start + int(clips[0])
    raise AscflowError(
        f"{names.array(f'X_{split}')}: {count} values lie beyond float32's range (±{FLOAT32_MAX:.1e}), in "
        f"which the models compute (first in {names.clip(split, first_clip)})."
    )


def _raise_not_finite(split: str, features: np.ndarray, first_chunk: int, names: ClipNames) -> None:
    """Count NaN and infinite values over the rest of the file, then raise."""
    n_nan = n_inf = 0
    first_clip = None
    for start in range(first_chunk, features.shape[0], CHUNK_CLIPS):
        chunk = np.asarray(features[start : start + CHUNK_CLIPS])
        nan, inf = np.isnan(chunk), np.isinf(chunk)
        n_nan, n_inf = n_nan + int(nan.sum()), n_inf + int(inf.sum())
        bad_clips = np.flatnonzero((nan | inf).any(axis=(1, 2)))
        if first_clip is None and bad_clips.size:
            first_clip = start + int(bad_clips[0])
    parts = [f"{count} values are {kind}" for count, kind in ((n_nan, "NaN"), (n_inf, "infinite")) if count]
    raise AscflowError(
        f"{names.array(f'X_{split}')}: {' and '.join(parts)} (first in {names.clip(split, first_clip)})."
    )


#: The label forms read as classes, each recorded in the data summary as a
#: conversion of that file: a column vector (n, 1) is flattened, whole-valued
#: floats become integers, booleans 0 and 1, and text labels are class names.
LABEL_CONVERSIONS = ("column_vector", "whole_floats", "booleans", "names")


def _read_labels(name: str, labels: np.ndarray, n_clips: int, x_name: str) -> tuple[np.ndarray, list[str]]:
    """The labels of one file as a 1-D array of integers or of names, and the
    conversions that took (see :data:`LABEL_CONVERSIONS`); anything that
    would need a guess is refused."""
    conversions = []
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels, conversions = labels[:, 0], ["column_vector"]
    if labels.ndim != 1:
        raise AscflowError(
            f"{name}: expected a 1-D array of class labels (or a column), got shape {labels.shape}."
        )
    if labels.shape[0] != n_clips:
        raise AscflowError(f"{name}: has {labels.shape[0]} labels but {x_name} has {n_clips} clips.")
    kind = labels.dtype.kind
    if kind in "iu":
        return np.asarray(labels), conversions
    if kind == "b":
        return np.asarray(labels, dtype=np.int64), [*conversions, "booleans"]
    if kind in "US":
        names = np.asarray(labels).astype(str)
        if (np.char.strip(names) == "").any():
            raise AscflowError(
                f"{name}: label {int(np.flatnonzero(np.char.strip(names) == '')[0])} is empty."
            )
        return names, [*conversions, "names"]
    if kind == "f":
        values = np.asarray(labels, dtype=np.float64)
        not_whole = ~np.isfinite(values) | (values != np.round(values))
        if not_whole.any():
            first = int(np.flatnonzero(not_whole)[0])
            raise AscflowError(
                f"{name}: {int(not_whole.sum())} labels are not whole numbers (first: {values[first]} "
                f"at position {first}); class labels must be integers or names."
            )
        return values.astype(np.int64), [*conversions, "whole_floats"]
    raise AscflowError(f"{name}: expected integer class labels or names, got dtype {labels.dtype}.")


def _read_groups(name: str, groups: np.ndarray, n_clips: int, x_name: str) -> np.ndarray:
    """One group id per clip, as integers or names (a column is flattened)."""
    if groups.ndim == 2 and groups.shape[1] == 1:
        groups = groups[:, 0]
    if groups.ndim != 1 or groups.shape[0] != n_clips:
        raise AscflowError(
            f"{name}: expected one group id per clip of {x_name} ({n_clips}), got shape {groups.shape}."
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
    paths = group_paths(data_dir)
    if not paths:
        return None
    if len(paths) != len(SPLITS):
        missing = next(name for name in GROUP_FILES if name.removesuffix(".npy") not in paths)
        raise AscflowError(
            f"{data_dir / missing}: missing, while the other split has group ids; give both or none."
        )
    raw = {
        split: _read_groups(
            names.array(f"groups_{split}"), load_array(path), n_clips[split], names.array(f"X_{split}")
        )
        for split, path in zip(SPLITS, paths.values(), strict=True)
    }
    if raw["train"].dtype.kind != raw["test"].dtype.kind:
        raise AscflowError(
            f"{names.array('groups_test')}: its ids are of another kind (numbers or names) than "
            f"{names.array('groups_train')}'s."
        )
    _, codes = np.unique(np.concatenate([raw["train"], raw["test"]]), return_inverse=True)
    shared = np.intersect1d(raw["train"], raw["test"])
    if shared.size:
        first = (
            f"{shared[0]}, in training {names.clip('train', _first(raw['train'], shared[0]))} "
            f"and test {names.clip('test', _first(raw['test'], shared[0]))}"
        )
    if shared.size and leakage == "error":
        raise AscflowError(
            f"{names.array('groups_test')}: {shared.size} groups (recordings) occur in the training set too "
            f"(first: {first}); this leaks the test set."
        )
    if shared.size:
        warnings.append(
            f"{shared.size} groups (recordings) occur in both the training and the test set (leakage); "
            f"first: {first}"
        )
    split_at = raw["train"].size
    return {
        "codes": {"train": codes[:split_at].astype(np.int64), "test": codes[split_at:].astype(np.int64)},
        "facts": {
            "train": int(np.unique(raw["train"]).size),
            "test": int(np.unique(raw["test"]).size),
            "shared": int(shared.size),
        },
    }


def _given_names(data_dir: Path, configured: list[str] | None) -> tuple[list[str] | None, str]:
    """Class names from the config, else ``classes.txt`` beside the data, and where they came from."""
    if configured:
        return list(configured), "config key class_names"
    classes_file = data_dir / CLASSES_FILE
    if classes_file.is_file():
        return [line.strip() for line in classes_file.read_text().splitlines() if line.strip()], str(
            classes_file
        )
    return None, ""


def _classes(train: np.ndarray, given: list[str] | None, source: str, names: ClipNames) -> np.ndarray:
    """The classes in label order: named labels in the order of the given
    names (which must name every training label), else sorted."""
    if train.dtype.kind != "U" or not given:
        return np.unique(train)
    unknown = sorted(set(train.tolist()) - set(given))
    if unknown:
        raise AscflowError(
            f"{names.array('y_train')}: label {unknown[0]!r} is not among the class names of {source} "
            f"(first in {names.clip('train', _first(train, unknown[0]))})."
        )
    return np.array(given)


def _duplicate_clips(train: np.ndarray, test: np.ndarray) -> list[tuple[int, int]]:
    """(train index, test index) of clips that are byte-for-byte identical."""
    seen: dict[bytes, int] = {}
    for start in range(0, train.shape[0], CHUNK_CLIPS):
        chunk = np.ascontiguousarray(train[start : start + CHUNK_CLIPS])
        for offset, clip in enumerate(chunk):
            seen.setdefault(hashlib.blake2b(clip.tobytes(), digest_size=16).digest(), start + offset)
    pairs = []
    for start in range(0, test.shape[0], CHUNK_CLIPS):
        chunk = np.ascontiguousarray(test[start : start + CHUNK_CLIPS])
        for offset, clip in enumerate(chunk):
            key = hashlib.blake2b(clip.tobytes(), digest_size=16).digest()
            if key in seen:
                pairs.append((seen[key], start + offset))
    return pairs


def band_statistics(features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-feature (band) mean and standard deviation over clips and time,
    accumulated in float64 chunk by chunk."""
    total = np.zeros(features.shape[1])
    total_sq = np.zeros(features.shape[1])
    for start in range(0, features.shape[0], CHUNK_CLIPS):
        chunk = np.asarray(features[start : start + CHUNK_CLIPS], dtype=np.float64)
        total += chunk.sum(axis=(0, 2))
        total_sq += np.square(chunk).sum(axis=(0, 2))
    count = features.shape[0] * features.shape[2]
    mean = total / count
    std = np.sqrt(np.maximum(total_sq / count - mean**2, 0.0))
    return mean, std


class Validated(NamedTuple):
    summary: dict
    labels: dict[str, np.ndarray]  # by split, mapped to 0..K-1
    groups: dict[str, np.ndarray]  # by split, integer codes (one per clip without group files)


def validate_dataset(
    data_dir: str | Path,
    class_names: list[str] | None = None,
    leakage: str = "warn",
    min_train_per_class: int = MIN_TRAIN_PER_CLASS,
    names: ClipNames | None = None,
) -> Validated:
    """Check a data folder; return its summary, labels and groups.

    ``leakage`` is ``"warn"`` (duplicates between train and test are listed
    in the summary) or ``"error"`` (they stop the run). ``names``: how the
    sentences name the arrays and clips (:class:`ClipNames`, the default).
    """
    data_dir = Path(data_dir)
    names = names or ClipNames()
    paths = data_paths(data_dir)
    arrays = {stem: load_array(path) for stem, path in paths.items()}
    summary: dict = {"data_dir": str(data_dir), "files": {}, "warnings": []}

    ranges, raw_labels, conversions = {}, {}, {}
    for split in SPLITS:
        ranges[split] = _check_features(split, arrays[f"X_{split}"], names)
        raw_labels[split], converted = _read_labels(
            names.array(f"y_{split}"),
            arrays[f"y_{split}"],
            arrays[f"X_{split}"].shape[0],
            names.array(f"X_{split}"),
        )
        if converted:
            conversions[paths[f"y_{split}"].name] = converted
    train_x, test_x = arrays["X_train"], arrays["X_test"]
    if train_x.shape[1:] != test_x.shape[1:]:
        raise AscflowError(
            f"{names.array('X_test')}: clips are {test_x.shape[1]} x {test_x.shape[2]} (features x time) "
            f"but {names.array('X_train')}'s are {train_x.shape[1]} x {train_x.shape[2]}."
        )

    train_labels, test_labels = raw_labels["train"], raw_labels["test"]
    named = train_labels.dtype.kind == "U"
    if named != (test_labels.dtype.kind == "U"):
        kinds = ("names", "numbers") if named else ("numbers", "names")
        raise AscflowError(
            f"{names.array('y_test')}: labels are {kinds[1]} but {names.array('y_train')}'s are {kinds[0]}; "
            "use one kind."
        )
    given, source = _given_names(data_dir, class_names)
    classes = _classes(train_labels, given, source, names)
    if classes.size < 2:
        raise AscflowError(f"{names.array('y_train')}: holds {classes.size} class; at least 2 are needed.")
    unseen = np.setdiff1d(np.unique(test_labels), classes)
    if unseen.size:
        raise AscflowError(
            f"{names.array('y_test')}: class {unseen[0]} occurs in the test set but never in "
            f"{names.array('y_train')} ({unseen.size} such classes; first in "
            f"{names.clip('test', _first(test_labels, unseen[0]))})."
        )
    counts = np.array([(train_labels == c).sum() for c in classes])
    if counts.min() < min_train_per_class:
        rare = classes[counts.argmin()]
        if counts.min():
            where = [names.clip("train", int(index)) for index in np.flatnonzero(train_labels == rare)]
            where = f" ({', '.join(where)})"
        elif (test_labels == rare).any():
            where = f" (first in the test set: {names.clip('test', _first(test_labels, rare))})"
        else:
            where = ""
        raise AscflowError(
            f"{names.array('y_train')}: class {rare} has {counts.min()} training clip(s){where}; "
            f"each class needs at least {min_train_per_class} for the stratified validation split."
        )
    mapped = named or not np.array_equal(classes, np.arange(classes.size))
    if mapped and not named:
        summary["warnings"].append(
            f"labels {classes.tolist()} were mapped to 0..{classes.size - 1} in that order"
        )
    index = {value: position for position, value in enumerate(classes.tolist())}
    labels = {
        split: np.array([index[value] for value in raw_labels[split].tolist()], dtype=np.int64)
        for split in SPLITS
    }

    duplicates = _duplicate_clips(train_x, test_x)
    if duplicates and leakage == "error":
        train_index, test_index = duplicates[0]
        raise AscflowError(
            f"{names.array('X_test')}: {len(duplicates)} clips are exact copies of training clips "
            f"(first: test {names.clip('test', test_index)} = train {names.clip('train', train_index)}); "
            "this leaks the test set."
        )
    if duplicates:
        train_index, test_index = duplicates[0]
        summary["warnings"].append(
            f"{len(duplicates)} test clips are exact copies of training clips (leakage); "
            f"first: test {names.clip('test', test_index)} = train {names.clip('train', train_index)}"
        )

    groups = read_groups(
        data_dir, {"train": train_x.shape[0], "test": test_x.shape[0]}, leakage, summary["warnings"], names
    )

    if named:
        names = [str(name) for name in classes]
    elif given is None:
        names = [str(k) for k in range(classes.size)]
    elif len(given) != classes.size:
        raise AscflowError(
            f"{source}: lists {len(given)} class names but the labels hold {classes.size} classes."
        )
    else:
        names = given
    band_mean, band_std = band_statistics(train_x)
    for stem, path in paths.items():
        summary["files"][path.name] = {
            "shape": list(arrays[stem].shape),
            "dtype": str(arrays[stem].dtype),
            "sha256": file_digest(path),
        }
    summary.update(
        {
            "n_features": int(train_x.shape[1]),
            "n_frames": int(train_x.shape[2]),
            "n_classes": int(classes.size),
            "class_names": names,
            "label_values": classes.tolist(),
            "labels_mapped": mapped,
            "label_conversions": conversions,
            "class_counts": {
                split: np.bincount(labels[split], minlength=classes.size).tolist() for split in SPLITS
            },
            "value_range": ranges,
            "duplicate_clips": len(duplicates),
            "train_band_mean": band_mean.tolist(),
            "train_band_std": band_std.tolist(),
        }
    )
    summary["groups"] = groups["facts"] if groups else None
    for path in group_paths(data_dir).values():
        summary["files"][path.name] = {
            "shape": list(load_array(path).shape),
            "dtype": str(load_array(path).dtype),
            "sha256": file_digest(path),
        }
    summary["fingerprint"] = data_fingerprint(summary)
    # Without group files every clip is its own group: splits are clip-level.
    codes = groups["codes"] if groups else {split: np.arange(labels[split].size) for split in SPLITS}
    return Validated(summary, labels, codes)


def data_fingerprint(summary: dict) -> str:
    """What identifies the validated data: the files' digests and the classes
    their labels were read as. Every model and metrics file records it."""
    return content_digest(
        {
            "files": {name: facts["sha256"] for name, facts in summary["files"].items()},
            "classes": summary["label_values"],
            "class_names": summary["class_names"],
        }
    )
