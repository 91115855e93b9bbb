"""The built-in default data set: synthetic acoustic scenes as log-mel arrays.

The real study's recordings cannot be downloaded here, so the workflow ships a
generator for data of the same shape and the same kind of structure: every
class has a spectral envelope, a stationary background, tonal lines, transient
events at its own rate and a slow modulation; every clip gets a random gain, a
small band shift, its own envelope wobble and noise. Some classes are built as
near-copies of another (bus and tram, say), differing only in their events and
tones, so that a classifier has to look at the time structure to tell them
apart. Values are in decibels, like a log-mel spectrogram.

Like the TUT / DCASE sets, clips are cut from recordings: the clips of one
recording share its conditions (band shift, background wobble, gain, the
phase and depth of the slow modulation, whether its tonal sources run) and
differ only in small per-clip changes, events and noise. A random split then
puts near-twins on both sides and overstates accuracy; the recording of each
clip is written as its group (``groups_*.npy``), and no recording spans the
training and the test set.

Clips are generated one by one from random streams keyed on (seed, split,
clip index) and (seed, split, recording), written straight into a
memory-mapped ``.npy`` file, so the result does not depend on chunking and
memory stays bounded whatever the size.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.lib.format import open_memmap

#: The 15 scene classes of TUT Acoustic Scenes 2017, in label order.
TUT_SCENE_CLASSES = (
    "beach",
    "bus",
    "cafe/restaurant",
    "car",
    "city center",
    "forest path",
    "grocery store",
    "home",
    "library",
    "metro station",
    "office",
    "park",
    "residential area",
    "train",
    "tram",
)

#: Pairs built to be confusable: the second class copies the first's
#: envelope and background and differs in events, tones and modulation.
CONFUSABLE_PAIRS = (
    ("bus", "tram"),
    ("train", "metro station"),
    ("park", "residential area"),
    ("cafe/restaurant", "grocery store"),
    ("library", "office"),
)

_SPLIT_KEYS = {"train": 1, "test": 2}

# Difficulty knobs, tuned so that a 100-tree forest on flattened clips lands
# near 0.5 and no model saturates (see tests/unit/data/test_synthetic.py).
CLASS_BUMP_DB = 7.0
CLASS_TILT_DB = 6.0
CLIP_WOBBLE_DB = 2.5  # a recording's background wobble
CLIP_GAIN_DB = 6.0  # a recording's gain
CLIP_BAND_SHIFT = 1.5  # a recording's band shift (microphone, room)
CLIP_JITTER_DB = 0.8  # what changes between the clips of one recording
NOISE_DB = 3.5
EVENT_RATE_SPREAD = 0.8  # log-normal sigma of a clip's event rate
TONE_PRESENCE = 0.75  # chance that a clip has its class's tonal lines


def class_names(n_classes: int) -> list[str]:
    """Scene names for the first ``n_classes`` labels (generic past 15)."""
    named = list(TUT_SCENE_CLASSES[:n_classes])
    return named + [f"class_{k}" for k in range(len(named), n_classes)]


@dataclass(frozen=True)
class SceneProfile:
    """What makes one class recognisable; fixed for a given seed."""

    envelope_db: np.ndarray  # (bands,) stationary background level
    tone_bands: np.ndarray  # fractional band positions of tonal lines
    tone_levels_db: np.ndarray  # level of each line above the background
    tone_duty: float  # fraction of time the tones are on
    event_rate: float  # transient events per clip (Poisson mean)
    event_band: float  # centre of the events' band range, as a fraction
    event_width: float  # spread of the events over bands, as a fraction
    event_level_db: float  # peak level of an event above the background
    event_decay_frames: float  # exponential decay time of an event
    modulation_period_frames: float  # period of the slow level modulation
    modulation_depth_db: float


def _smooth_curve(rng: np.random.Generator, n_features: int, n_terms: int, scale: float) -> np.ndarray:
    """A random smooth curve over the bands (a short cosine series)."""
    position = np.linspace(0.0, np.pi, n_features)
    amplitudes = rng.normal(0.0, scale, n_terms) / np.arange(1, n_terms + 1)
    phases = rng.uniform(0.0, 2 * np.pi, n_terms)
    return sum(
        a * np.cos((k + 1) * position + p) for k, (a, p) in enumerate(zip(amplitudes, phases, strict=True))
    )


def _common_envelope(n_features: int) -> np.ndarray:
    """The shape every scene shares: more energy low, rolling off high."""
    band = np.arange(n_features) / max(n_features - 1, 1)
    return -40.0 - 15.0 * band + 6.0 * np.exp(-0.5 * ((band - 0.15) / 0.15) ** 2)


def _random_envelope(rng: np.random.Generator, n_features: int) -> np.ndarray:
    """A class's background: the common shape plus a class-specific tilt and
    bump, of the same order as the per-clip wobble so one clip is ambiguous."""
    band = np.arange(n_features) / max(n_features - 1, 1)
    centre, width = rng.uniform(0, 1), rng.uniform(0.08, 0.3)
    bump = rng.uniform(-1, 1) * CLASS_BUMP_DB * np.exp(-0.5 * ((band - centre) / width) ** 2)
    return _common_envelope(n_features) + rng.uniform(-1, 1) * CLASS_TILT_DB * band + bump


def _random_events_and_tones(rng: np.random.Generator) -> dict:
    n_tones = int(rng.integers(0, 4))
    return {
        "tone_bands": rng.uniform(0.05, 0.95, n_tones),
        "tone_levels_db": rng.uniform(3, 9, n_tones),
        "tone_duty": float(rng.uniform(0.3, 1.0)),
        "event_rate": float(rng.choice([0.5, 2, 5, 10, 20]) * rng.uniform(0.8, 1.25)),
        "event_band": float(rng.uniform(0.1, 0.9)),
        "event_width": float(rng.uniform(0.05, 0.4)),
        "event_level_db": float(rng.uniform(4, 12)),
        "event_decay_frames": float(rng.uniform(2, 15)),
        "modulation_period_frames": float(rng.uniform(40, 400)),
        "modulation_depth_db": float(rng.uniform(0, 4)),
    }


def scene_profiles(n_classes: int, n_features: int, seed: int) -> list[SceneProfile]:
    """One profile per class, deterministic in ``seed``."""
    rng = np.random.default_rng([seed, 0])
    names = class_names(n_classes)
    profiles: dict[str, SceneProfile] = {}
    partner_of = {second: first for first, second in CONFUSABLE_PAIRS}
    for name in names:
        first = partner_of.get(name)
        if first in profiles:
            # A near-copy: same background, slightly wobbled, other dynamics.
            envelope = profiles[first].envelope_db + _smooth_curve(rng, n_features, 3, 1.0)
        else:
            envelope = _random_envelope(rng, n_features)
        profiles[name] = SceneProfile(envelope_db=envelope, **_random_events_and_tones(rng))
    return [profiles[name] for name in names]


def _db_sum(*levels_db: np.ndarray) -> np.ndarray:
    """Add sources given in decibels as powers, back to decibels."""
    return 10.0 * np.log10(sum(np.power(10.0, level / 10.0) for level in levels_db))


@dataclass(frozen=True)
class Recording:
    """What the clips of one recording share."""

    shift: float  # band shift
    wobble_db: np.ndarray  # (bands,) smooth background deviation, gain included
    phase: float  # of the slow modulation
    depth_scale: float  # of the slow modulation
    tones_on: bool  # whether its tonal sources run at all


def recording_conditions(n_features: int, rng: np.random.Generator) -> Recording:
    return Recording(
        shift=float(rng.uniform(-CLIP_BAND_SHIFT, CLIP_BAND_SHIFT)),
        wobble_db=_smooth_curve(rng, n_features, 4, CLIP_WOBBLE_DB)
        + rng.uniform(-CLIP_GAIN_DB, CLIP_GAIN_DB),
        phase=float(rng.uniform(0, 2 * np.pi)),
        depth_scale=float(rng.uniform(0.5, 1.5)),
        tones_on=bool(rng.uniform() < TONE_PRESENCE),
    )


def render_clip(
    profile: SceneProfile, n_frames: int, rng: np.random.Generator, recording: Recording
) -> np.ndarray:
    """One clip of shape (bands, frames) in dB for a class profile, cut from ``recording``."""
    n_features = profile.envelope_db.size
    band = np.arange(n_features, dtype=np.float64)
    frame = np.arange(n_frames, dtype=np.float64)
    shift = recording.shift + rng.normal(0, 0.1)
    envelope = np.interp(band - shift, band, profile.envelope_db)
    envelope = envelope + recording.wobble_db + _smooth_curve(rng, n_features, 3, CLIP_JITTER_DB)
    phase = recording.phase + rng.uniform(0, np.pi / 4)  # the next stretch of the same recording
    modulation = (
        recording.depth_scale
        * profile.modulation_depth_db
        * np.sin(2 * np.pi * frame / profile.modulation_period_frames + phase)
    )
    background = envelope[:, None] + modulation[None, :]

    tones = np.full((n_features, n_frames), -200.0)
    on = _on_off_mask(rng, n_frames, profile.tone_duty) & recording.tones_on
    for position, level in zip(profile.tone_bands, profile.tone_levels_db, strict=True):
        line = np.exp(-0.5 * ((band - position * (n_features - 1) - shift) / 0.7) ** 2)
        line_db = envelope + level + 10 * np.log10(line + 1e-12)
        tones = np.maximum(tones, np.where(on[None, :], line_db[:, None], -200.0))

    events = np.full((n_features, n_frames), -200.0)
    n_events = rng.poisson(profile.event_rate * rng.lognormal(0.0, EVENT_RATE_SPREAD))
    centre = (profile.event_band + rng.normal(0, 0.05)) * (n_features - 1)
    spread = profile.event_width * n_features
    band_shape = -0.5 * ((band - centre) / spread) ** 2 * 4.343  # Gaussian in dB
    for onset in rng.uniform(0, n_frames, n_events):
        after = frame - onset
        decay = np.where(after >= 0, -4.343 * after / profile.event_decay_frames, -200.0)
        level = profile.event_level_db + rng.normal(0, 2)
        events = np.maximum(events, envelope[:, None] + level + band_shape[:, None] + decay[None, :])

    clip = _db_sum(background, tones, events)
    clip += rng.normal(0.0, NOISE_DB, clip.shape)
    return clip.astype(np.float32)


def _on_off_mask(rng: np.random.Generator, n_frames: int, duty: float) -> np.ndarray:
    """Frames where a tonal source is on: random segments covering ~duty."""
    mask = np.zeros(n_frames, dtype=bool)
    start = 0
    on = rng.uniform() < duty
    while start < n_frames:
        mean_length = 80 * (duty if on else 1 - duty) + 1
        length = int(rng.exponential(mean_length)) + 1
        mask[start : start + length] = on
        start += length
        on = not on
    return mask


def balanced_labels(n_clips: int, n_classes: int, rng: np.random.Generator) -> np.ndarray:
    """Labels 0..K-1 as evenly as ``n_clips`` allows, in random order."""
    labels = np.arange(n_clips) % n_classes
    return rng.permutation(labels).astype(np.int64)


def recording_groups(labels: np.ndarray, clips_per_recording: int, first: int = 0) -> np.ndarray:
    """A recording id per clip: each class's clips, in order, cut into
    recordings of ``clips_per_recording`` (fewer when a class has fewer
    clips), numbered from ``first``."""
    groups = np.empty(labels.size, dtype=np.int64)
    next_id = first
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        for start in range(0, members.size, clips_per_recording):
            groups[members[start : start + clips_per_recording]] = next_id
            next_id += 1
    return groups


def generate_split(
    paths: dict[str, Path],
    split: str,
    n_clips: int,
    profiles: list[SceneProfile],
    n_frames: int,
    clips_per_recording: int,
    seed: int,
    first_recording: int = 0,
) -> np.ndarray:
    """Write one split's X (memory-mapped, clip by clip), y and groups
    (``paths`` by stem: X, y, groups); return the groups."""
    key = _SPLIT_KEYS[split]
    labels = balanced_labels(n_clips, len(profiles), np.random.default_rng([seed, key]))
    groups = recording_groups(labels, clips_per_recording, first_recording)
    n_features = profiles[0].envelope_db.size
    recordings = {
        group: recording_conditions(n_features, np.random.default_rng([seed, key, 1 << 30, group]))
        for group in np.unique(groups).tolist()
    }
    features = open_memmap(paths["X"], mode="w+", dtype=np.float32, shape=(n_clips, n_features, n_frames))
    for index, (label, group) in enumerate(zip(labels, groups.tolist(), strict=True)):
        clip_rng = np.random.default_rng([seed, key, index])
        features[index] = render_clip(profiles[label], n_frames, clip_rng, recordings[group])
    features.flush()
    del features
    np.save(paths["y"], labels)
    np.save(paths["groups"], groups)
    return groups


def generate_default_data(
    out_dir: Path,
    n_train: int,
    n_test: int,
    n_features: int,
    n_frames: int,
    n_classes: int,
    seed: int,
    clips_per_recording: int = 10,
) -> dict[str, Path]:
    """Write ``X_train.npy``, ``y_train.npy``, ``X_test.npy``, ``y_test.npy``,
    ``groups_train.npy``, ``groups_test.npy`` and ``classes.txt`` into
    ``out_dir``; return their paths by stem.

    A class has ``clips_per_recording`` clips per recording, or fewer where
    the split has too few clips to give every class several recordings."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    profiles = scene_profiles(n_classes, n_features, seed)
    paths = {}
    first_recording = 0  # test recordings are numbered after the training ones
    for split, n_clips in (("train", n_train), ("test", n_test)):
        split_paths = {kind: out_dir / f"{kind}_{split}.npy" for kind in ("X", "y", "groups")}
        paths.update({f"{kind}_{split}": path for kind, path in split_paths.items()})
        per_recording = max(1, min(clips_per_recording, n_clips // (2 * n_classes)))
        groups = generate_split(
            split_paths, split, n_clips, profiles, n_frames, per_recording, seed, first_recording
        )
        first_recording = int(groups.max()) + 1
    paths["classes"] = out_dir / "classes.txt"
    paths["classes"].write_text("\n".join(class_names(n_classes)) + "\n")
    return paths
