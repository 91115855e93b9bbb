"""Nested subsets of the training set, for learning curves.

DCASE 2024's Task 1 trains on five nested subsets of the training split
(5, 10, 25, 50 and 100 %) made of whole recordings, with the class shares
and the device mix of the whole split. Here one seeded order of each class's
recordings is drawn once (within a class, recordings of each device spread
evenly along the order where the devices are known), and a fraction's subset
is, per class, the shortest prefix of that order whose clips reach the
fraction of the class's clips: a smaller fraction's subset is a prefix of a
larger one's, so the subsets are nested by construction, and a recording is
either wholly in a subset or not at all.

The random stream is one of its own (``numpy.random.default_rng`` seeded by
the run's seed and :data:`STREAM`): drawing the subsets changes no other
draw of the run.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ascflow.errors import AscflowError

#: Mixed into the run's seed: the subsets' own random stream.
STREAM = 20240501


def fraction_label(fraction: float) -> str:
    """A fraction as paths and tables name it: 0.05 -> ``0.05``, 1.0 -> ``1``."""
    return f"{float(fraction):g}"


def check_fractions(fractions: Sequence[float], key: str = "data_fractions") -> list[float]:
    """The fractions sorted, each in (0, 1] and none twice; else one sentence."""
    values = [float(value) for value in fractions]
    bad = [value for value in values if not 0 < value <= 1]
    if bad:
        raise AscflowError(f"{key}: every fraction must be above 0 and at most 1, not {bad[0]:g}.")
    labels = [fraction_label(value) for value in values]
    if len(set(labels)) != len(labels):
        raise AscflowError(f"{key}: {', '.join(labels)} names a fraction twice.")
    return sorted(values)


def _recording_facts(labels: np.ndarray, groups: np.ndarray, devices: np.ndarray | None):
    """Per recording (group): its clips, its class (the most frequent label
    of its clips) and its device (likewise), in the order of first appearance."""
    recordings, first, inverse = np.unique(groups, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")  # recordings in the order the clips list them
    facts = []
    for index in order:
        clips = np.flatnonzero(inverse == index)
        values, counts = np.unique(labels[clips], return_counts=True)
        device = None
        if devices is not None:
            names, device_counts = np.unique(devices[clips], return_counts=True)
            device = str(names[device_counts.argmax()])
        facts.append({"clips": clips, "label": int(values[counts.argmax()]), "device": device})
    return facts


def _spread_by_device(recordings: list[dict], rng: np.random.Generator) -> list[dict]:
    """The recordings of one class in a random order in which each device's
    recordings are spread evenly: every prefix keeps the device mix within
    one recording per device. Each device's recordings are shuffled, the
    k-th of n placed at (k + u) / n (u uniform), and all sorted by place."""
    by_device: dict[str | None, list[dict]] = {}
    for recording in recordings:
        by_device.setdefault(recording["device"], []).append(recording)
    placed = []
    for device in sorted(by_device, key=str):
        members = by_device[device]
        shuffled = [members[index] for index in rng.permutation(len(members))]
        places = (np.arange(len(shuffled)) + rng.random(len(shuffled))) / len(shuffled)
        placed += list(zip(places.tolist(), shuffled, strict=True))
    placed.sort(key=lambda pair: pair[0])
    return [recording for _, recording in placed]


def recording_order(
    labels: np.ndarray, groups: np.ndarray | None, seed: int, devices: np.ndarray | None = None
) -> dict[int, list[np.ndarray]]:
    """Per class, its recordings' clip indices in the one seeded order every
    subset takes a prefix of. Without groups every clip is a recording."""
    labels = np.asarray(labels)
    if groups is None:
        groups = np.arange(labels.size)
    groups = np.asarray(groups)
    if devices is not None:
        devices = np.asarray(devices).astype(str)
    rng = np.random.default_rng([STREAM, int(seed)])
    by_class: dict[int, list[dict]] = {}
    for recording in _recording_facts(labels, groups, devices):
        by_class.setdefault(recording["label"], []).append(recording)
    return {
        label: [recording["clips"] for recording in _spread_by_device(by_class[label], rng)]
        for label in sorted(by_class)
    }


def prefix_length(recordings: list[np.ndarray], fraction: float) -> int:
    """How many of a class's ordered recordings a fraction takes: the
    fewest whose clips reach ``round(fraction x the class's clips)``, and at
    least one (a class is never missing from a subset)."""
    sizes = np.array([recording.size for recording in recordings])
    wanted = max(1, math.floor(fraction * sizes.sum() + 0.5))
    return int(np.searchsorted(np.cumsum(sizes), wanted) + 1) if fraction < 1 else len(recordings)


def nested_subsets(
    labels: np.ndarray,
    groups: np.ndarray | None,
    fractions: Sequence[float],
    seed: int,
    devices: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Each fraction's training clips (sorted indices into the training set),
    by its label (:func:`fraction_label`): whole recordings, every class's
    share kept to within one recording, each inside the next larger one."""
    order = recording_order(labels, groups, seed, devices)
    subsets = {}
    for fraction in check_fractions(fractions):
        taken = [
            clips
            for recordings in order.values()
            for clips in recordings[: prefix_length(recordings, fraction)]
        ]
        subsets[fraction_label(fraction)] = np.sort(np.concatenate(taken)).astype(np.int64)
    return subsets


def subset_facts(indices: np.ndarray, labels: np.ndarray, groups: np.ndarray | None) -> dict:
    """What a subset holds: its clips, recordings and clips per class."""
    labels = np.asarray(labels)[indices]
    values, counts = np.unique(labels, return_counts=True)
    return {
        "n_clips": int(indices.size),
        "n_recordings": len(np.unique(np.asarray(groups)[indices])) if groups is not None else len(indices),
        "class_clips": {int(value): int(count) for value, count in zip(values, counts, strict=True)},
    }


def write_clip_list(path, indices: np.ndarray) -> None:
    """A subset as a clip list: one training-set row index a line."""
    from ascflow.files import atomic_path

    with atomic_path(path) as partial:
        np.savetxt(partial, np.asarray(indices, dtype=np.int64), fmt="%d")


def read_clip_list(path) -> np.ndarray:
    """A clip list written by :func:`write_clip_list`, as sorted indices;
    one sentence naming the file when it is not one."""
    try:
        indices = np.loadtxt(path, dtype=np.int64, ndmin=1)
    except (OSError, ValueError) as error:
        raise AscflowError(f"{path}: not a clip list of training-set row numbers ({error}).") from None
    if indices.size == 0 or (indices < 0).any() or (np.diff(indices) <= 0).any():
        raise AscflowError(f"{path}: a clip list must hold increasing row numbers, one a line.")
    return indices
