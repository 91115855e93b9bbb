"""The recording device of each clip (DCASE Task 1's ``source_label``: a,
b, c, s1...), where the data knows it: the optional files
``devices_train.npy`` and ``devices_test.npy`` of a data folder (one name
per clip; the gather writes them from ``meta.csv``'s device column or the
file names' device suffix). Both splits or neither; every clip has one, or
none has (an empty name is an unknown device).

Validation writes them on as ``results/data/devices_<split>.npy``, always,
empty names where the devices are unknown; :func:`load_devices` reads them
back (None when unknown), for the evaluation and any job that keeps the
device mix of a subset.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from ascflow.data.validation.folder import DEVICE_FILES, SPLITS, both_splits_or_none, load_array
from ascflow.data.validation.names import ClipNames
from ascflow.errors import AscflowError

#: A DCASE file name's device suffix: ``airport-lisbon-1000-40000-a.wav``
#: (device a), ``...-s1.wav`` (simulated device s1).
DEVICE_SUFFIX = re.compile(r"^(?P<recording>.+)-(?P<device>[a-d]|s[0-9]{1,2})$")


def device_paths(data_dir: str | Path) -> dict[str, Path]:
    """The device files of a data folder that exist, by stem (``devices_train``)."""
    folder = Path(data_dir)
    return {name.removesuffix(".npy"): folder / name for name in DEVICE_FILES if (folder / name).is_file()}


def device_of_name(name: str) -> str | None:
    """The device a DCASE file name ends in (``a``, ``s1``), or None."""
    match = DEVICE_SUFFIX.match(Path(name).stem)
    return match["device"] if match else None


def recording_of_name(name: str) -> str:
    """A file's recording: its name without the device suffix and the
    extension (``audio/airport-lisbon-1000-40000-a.wav`` ->
    ``audio/airport-lisbon-1000-40000``), so that a segment heard through
    several devices is one recording; a name without a suffix, as it is."""
    path = Path(name)
    match = DEVICE_SUFFIX.match(path.stem)
    if not match:
        return name
    return (path.parent / match["recording"]).as_posix() if path.parent != Path() else match["recording"]


def _read_split(split: str, devices: np.ndarray, n_clips: int, names: ClipNames) -> np.ndarray:
    name = names.array(f"devices_{split}")
    if devices.ndim == 2 and devices.shape[1] == 1:
        devices = devices[:, 0]
    if devices.ndim != 1 or devices.shape[0] != n_clips:
        raise AscflowError(
            f"{name}: expected one device name per clip of {names.array(f'X_{split}')} ({n_clips}), "
            f"got shape {devices.shape}."
        )
    if devices.dtype.kind not in "US":
        raise AscflowError(f"{name}: expected device names (text), got dtype {devices.dtype}.")
    return np.char.strip(np.asarray(devices).astype(str))


def read_devices(
    data_dir: str | Path, n_clips: dict[str, int], names: ClipNames | None = None
) -> dict[str, np.ndarray] | None:
    """The device of every clip of both splits, by split; None where the
    folder has no device files or they name no device."""
    names = names or ClipNames()
    paths = both_splits_or_none(device_paths(data_dir), data_dir, DEVICE_FILES, "device names")
    if paths is None:
        return None
    devices = {
        split: _read_split(split, load_array(path), n_clips[split], names) for split, path in paths.items()
    }
    known = {split: values != "" for split, values in devices.items()}
    if not any(mask.any() for mask in known.values()):
        return None
    for split in SPLITS:
        if not known[split].all():
            index = int(np.flatnonzero(~known[split])[0])
            raise AscflowError(
                f"{names.array(f'devices_{split}')}: {names.clip(split, index)} has no device name; "
                "give every clip one, or none."
            )
    return devices


def device_facts(devices: dict[str, np.ndarray]) -> dict:
    """The clips of each device per split, and the test devices that no
    training clip has (unseen)."""
    counts = {
        split: {name: int(count) for name, count in zip(*np.unique(values, return_counts=True), strict=True)}
        for split, values in devices.items()
    }
    return {
        "clips": counts,
        "unseen": sorted(set(counts["test"]) - set(counts["train"])),
    }


def load_devices(path: str | Path) -> np.ndarray | None:
    """A ``results/data/devices_<split>.npy`` validation wrote: the device of
    each clip, or None where the data names none."""
    devices = np.load(path, allow_pickle=False).astype(str)
    return devices if devices.size and (devices != "").all() else None
