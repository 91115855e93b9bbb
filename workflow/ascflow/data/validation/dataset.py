"""A whole data folder validated: each check of the folder's files, its
features, labels, classes, duplicates and groups in turn, and the summary
the workflow records, with the fingerprint every model and metrics file
carries."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import numpy as np

from ascflow.data.validation.classes import (
    MIN_TRAIN_PER_CLASS,
    class_indices,
    class_names_of,
    read_classes,
)
from ascflow.data.validation.devices import device_facts, device_paths, read_devices
from ascflow.data.validation.duplicates import check_duplicates
from ascflow.data.validation.features import band_statistics, check_clip_shapes, check_features
from ascflow.data.validation.folder import SPLITS, data_paths, group_paths, load_array
from ascflow.data.validation.groups import read_groups
from ascflow.data.validation.labels import read_labels
from ascflow.data.validation.names import ClipNames
from ascflow.files import content_digest, file_digest


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
    The checks run in a fixed order, so that of several problems the same
    one is told first.
    """
    data_dir = Path(data_dir)
    names = names or ClipNames()
    paths = data_paths(data_dir)
    arrays = {stem: load_array(path) for stem, path in paths.items()}
    warnings: list[str] = []
    ranges, raw_labels, conversions = {}, {}, {}
    for split in SPLITS:
        ranges[split] = check_features(split, arrays[f"X_{split}"], names)
        raw_labels[split], converted = read_labels(
            split, arrays[f"y_{split}"], arrays[f"X_{split}"].shape[0], names
        )
        if converted:
            conversions[paths[f"y_{split}"].name] = converted
    train_x, test_x = arrays["X_train"], arrays["X_test"]
    check_clip_shapes(train_x, test_x, names)
    classes = read_classes(raw_labels, data_dir, class_names, min_train_per_class, names)
    labels = class_indices(raw_labels, classes, warnings)
    duplicates = check_duplicates(train_x, test_x, leakage, warnings, names)
    n_clips = {split: arrays[f"X_{split}"].shape[0] for split in SPLITS}
    groups = read_groups(data_dir, n_clips, leakage, warnings, names)
    devices = read_devices(data_dir, n_clips, names)
    named_classes = class_names_of(classes)
    band_mean, band_std = band_statistics(train_x)
    files = {path.name: _file_facts(path, arrays[stem]) for stem, path in paths.items()}
    files |= {path.name: _file_facts(path, load_array(path)) for path in group_paths(data_dir).values()}
    if devices is not None:  # device files naming no device are as good as none
        files |= {path.name: _file_facts(path, load_array(path)) for path in device_paths(data_dir).values()}
    summary = {
        "data_dir": str(data_dir),
        "files": files,
        "warnings": warnings,
        "n_features": int(train_x.shape[1]),
        "n_frames": int(train_x.shape[2]),
        "n_classes": int(classes.values.size),
        "class_names": named_classes,
        "label_values": classes.values.tolist(),
        "labels_mapped": classes.mapped,
        "label_conversions": conversions,
        "class_counts": {
            split: np.bincount(labels[split], minlength=classes.values.size).tolist() for split in SPLITS
        },
        "value_range": ranges,
        "duplicate_clips": duplicates,
        "train_band_mean": band_mean.tolist(),
        "train_band_std": band_std.tolist(),
        "groups": groups["facts"] if groups else None,
    }
    if devices is not None:
        summary["devices"] = device_facts(devices)
    summary["fingerprint"] = data_fingerprint(summary)
    # Without group files every clip is its own group: splits are clip-level.
    codes = groups["codes"] if groups else {split: np.arange(labels[split].size) for split in SPLITS}
    return Validated(summary, labels, codes)


def _file_facts(path: Path, array: np.ndarray) -> dict:
    return {"shape": list(array.shape), "dtype": str(array.dtype), "sha256": file_digest(path)}


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
