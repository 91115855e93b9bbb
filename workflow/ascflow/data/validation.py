"""Safe loading and validation of a data folder of four ``.npy`` files.

Every check that fails raises :class:`AscflowError` with one sentence that
names the file and the problem. Arrays are memory-mapped and scanned in
chunks, so validating the reference-size data takes little memory.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from ascflow.errors import AscflowError
from ascflow.files import CHUNK_CLIPS

SPLITS = ("train", "test")
DATA_FILES = tuple(f"{kind}_{split}.npy" for split in SPLITS for kind in ("X", "y"))
CLASSES_FILE = "classes.txt"
NPY_MAGIC = b"\x93NUMPY"
#: Pickles of protocol 2 and later start with this opcode.
PICKLE_PROTOCOL_BYTE = b"\x80"


def data_paths(data_dir: str | Path) -> dict[str, Path]:
    """The four expected files of a data folder, keyed by stem (``X_train``)."""
    folder = Path(data_dir)
    return {name.removesuffix(".npy"): folder / name for name in DATA_FILES}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


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


def _check_features(path: Path, features: np.ndarray) -> dict:
    """X must be 3-D, numeric and finite; returns its value range."""
    if features.ndim != 3:
        raise AscflowError(
            f"{path.name}: expected a 3-D array (clips, features, time), got shape {features.shape}."
        )
    if features.dtype == bool or not np.issubdtype(features.dtype, np.number):
        raise AscflowError(f"{path.name}: expected numeric values, got dtype {features.dtype}.")
    if np.issubdtype(features.dtype, np.complexfloating):
        raise AscflowError(f"{path.name}: expected real values, got dtype {features.dtype}.")
    if features.shape[0] == 0 or features.shape[1] == 0 or features.shape[2] == 0:
        raise AscflowError(f"{path.name}: the array is empty (shape {features.shape}).")
    low, high = np.inf, -np.inf
    for start in range(0, features.shape[0], CHUNK_CLIPS):
        chunk = np.asarray(features[start : start + CHUNK_CLIPS], dtype=np.float32)
        finite = np.isfinite(chunk)
        if not finite.all():
            _raise_not_finite(path, features, start)
        low, high = min(low, float(chunk.min())), max(high, float(chunk.max()))
    return {"min": low, "max": high}


def _raise_not_finite(path: Path, features: np.ndarray, first_chunk: int) -> None:
    """Count NaN and infinite values over the rest of the file, then raise."""
    n_nan = n_inf = 0
    first_clip = None
    for start in range(first_chunk, features.shape[0], CHUNK_CLIPS):
        chunk = np.asarray(features[start : start + CHUNK_CLIPS], dtype=np.float32)
        nan, inf = np.isnan(chunk), np.isinf(chunk)
        n_nan, n_inf = n_nan + int(nan.sum()), n_inf + int(inf.sum())
        bad_clips = np.flatnonzero((nan | inf).any(axis=(1, 2)))
        if first_clip is None and bad_clips.size:
            first_clip = start + int(bad_clips[0])
    parts = [f"{count} values are {kind}" for count, kind in ((n_nan, "NaN"), (n_inf, "infinite")) if count]
    raise AscflowError(f"{path.name}: {' and '.join(parts)} (first in clip {first_clip}).")


def _check_labels(path: Path, labels: np.ndarray, n_clips: int, x_name: str) -> None:
    if labels.ndim != 1:
        raise AscflowError(f"{path.name}: expected a 1-D array of class labels, got shape {labels.shape}.")
    if not np.issubdtype(labels.dtype, np.integer):
        raise AscflowError(f"{path.name}: expected integer class labels, got dtype {labels.dtype}.")
    if labels.shape[0] != n_clips:
        raise AscflowError(f"{path.name}: has {labels.shape[0]} labels but {x_name} has {n_clips} clips.")


def _class_names(data_dir: Path, configured: list[str] | None, n_classes: int) -> list[str]:
    """Names from the config, else ``classes.txt`` beside the data, else numbers."""
    names, source = configured, "config key class_names"
    classes_file = data_dir / CLASSES_FILE
    if not names and classes_file.is_file():
        names = [line.strip() for line in classes_file.read_text().splitlines() if line.strip()]
        source = str(classes_file)
    if not names:
        return [str(k) for k in range(n_classes)]
    if len(names) != n_classes:
        raise AscflowError(
            f"{source}: lists {len(names)} class names but the labels hold {n_classes} classes."
        )
    return list(names)


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


def validate_dataset(
    data_dir: str | Path,
    class_names: list[str] | None = None,
    leakage: str = "warn",
    min_train_per_class: int = 2,
) -> tuple[dict, dict[str, np.ndarray]]:
    """Check a data folder; return (summary, labels mapped to 0..K-1 by split).

    ``leakage`` is ``"warn"`` (duplicates between train and test are listed
    in the summary) or ``"error"`` (they stop the run).
    """
    data_dir = Path(data_dir)
    paths = data_paths(data_dir)
    arrays = {stem: load_array(path) for stem, path in paths.items()}
    summary: dict = {"data_dir": str(data_dir), "files": {}, "warnings": []}

    ranges = {}
    for split in SPLITS:
        x_path, y_path = paths[f"X_{split}"], paths[f"y_{split}"]
        ranges[split] = _check_features(x_path, arrays[f"X_{split}"])
        _check_labels(y_path, arrays[f"y_{split}"], arrays[f"X_{split}"].shape[0], x_path.name)
    train_x, test_x = arrays["X_train"], arrays["X_test"]
    if train_x.shape[1:] != test_x.shape[1:]:
        raise AscflowError(
            f"X_test.npy: clips are {test_x.shape[1]} x {test_x.shape[2]} (features x time) "
            f"but X_train.npy's are {train_x.shape[1]} x {train_x.shape[2]}."
        )

    train_labels = np.asarray(arrays["y_train"])
    test_labels = np.asarray(arrays["y_test"])
    classes = np.unique(train_labels)
    if classes.size < 2:
        raise AscflowError(f"y_train.npy: holds {classes.size} class; at least 2 are needed.")
    unseen = np.setdiff1d(np.unique(test_labels), classes)
    if unseen.size:
        raise AscflowError(
            f"y_test.npy: class {unseen[0]} occurs in the test set but never in y_train.npy"
            f" ({unseen.size} such classes)."
        )
    counts = np.array([(train_labels == c).sum() for c in classes])
    if counts.min() < min_train_per_class:
        rare = classes[counts.argmin()]
        raise AscflowError(
            f"y_train.npy: class {rare} has {counts.min()} training clip(s); "
            f"each class needs at least {min_train_per_class} for the stratified validation split."
        )
    mapped = not np.array_equal(classes, np.arange(classes.size))
    if mapped:
        summary["warnings"].append(
            f"labels {classes.tolist()} were mapped to 0..{classes.size - 1} in that order"
        )
    labels = {
        "train": np.searchsorted(classes, train_labels).astype(np.int64),
        "test": np.searchsorted(classes, test_labels).astype(np.int64),
    }

    duplicates = _duplicate_clips(train_x, test_x)
    if duplicates and leakage == "error":
        train_index, test_index = duplicates[0]
        raise AscflowError(
            f"X_test.npy: {len(duplicates)} clips are exact copies of training clips "
            f"(first: test clip {test_index} = train clip {train_index}); this leaks the test set."
        )
    if duplicates:
        summary["warnings"].append(
            f"{len(duplicates)} test clips are exact copies of training clips (leakage); "
            f"first: test clip {duplicates[0][1]} = train clip {duplicates[0][0]}"
        )

    names = _class_names(data_dir, class_names, int(classes.size))
    band_mean, band_std = band_statistics(train_x)
    for stem, path in paths.items():
        summary["files"][path.name] = {
            "shape": list(arrays[stem].shape),
            "dtype": str(arrays[stem].dtype),
            "sha256": sha256_of(path),
        }
    summary.update(
        {
            "n_features": int(train_x.shape[1]),
            "n_frames": int(train_x.shape[2]),
            "n_classes": int(classes.size),
            "class_names": names,
            "label_values": classes.tolist(),
            "labels_mapped": mapped,
            "class_counts": {
                split: np.bincount(labels[split], minlength=classes.size).tolist() for split in SPLITS
            },
            "value_range": ranges,
            "duplicate_clips": len(duplicates),
            "train_band_mean": band_mean.tolist(),
            "train_band_std": band_std.tolist(),
        }
    )
    return summary, labels
