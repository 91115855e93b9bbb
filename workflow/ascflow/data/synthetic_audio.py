"""Scene-like synthetic recordings, written as WAV files in the DCASE layout.

Nothing may be downloaded, so the tests and the audio example make their own
recordings. Each scene class has a coloured background noise (a spectral
tilt and a resonance at its own frequency), an optional hum with harmonics
(engines, ventilation), transient events of its own kind and rate (chirps,
clicks or beeps) and a slow swell of the background. Each recording
location varies its class's frequencies and level a little; each clip draws
its own noise, event times and phases. Train and test clips come from
different locations, as in DCASE's evaluation setups, and every clip carries
its location as the recording identifier.

The folder is the one :mod:`ascflow.data.audio_folder` reads: ``audio/*.wav``
(16-bit PCM), a tab-separated ``meta.csv`` with a header (``filename``,
``scene_label``, ``identifier``) and a comma-separated ``split.csv``. Every
file is written whole or not at all, ``meta.csv`` and ``split.csv`` last.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ascflow.data.synthetic import class_names
from ascflow.files import atomic_path, write_text

#: Clips recorded at one location; train and test locations never overlap.
CLIPS_PER_LOCATION = 4
EVENT_KINDS = ("chirp", "click", "beep")
#: Peak amplitude of a clip at 0 dB of location gain.
PEAK = 0.5
#: How far a location moves its class's frequencies (log-normal sigma), and
#: how much a clip's background tilt varies (dB per octave): the variation a
#: classifier must see past.
LOCATION_SHIFT = 0.2
CLIP_TILT_DB = 1.5
_SPLIT_KEYS = {"train": 1, "test": 2}


@dataclass(frozen=True)
class SceneSound:
    """What a class sounds like (before a location's variation)."""

    tilt_db: float  # per octave above 1 kHz
    bump_hz: float
    bump_octaves: float
    bump_db: float
    hum_hz: float  # 0: no hum
    hum_level: float
    event_kind: str
    event_rate: float  # per second
    event_hz: float
    event_level: float
    swell_hz: float
    swell_depth: float


@dataclass(frozen=True)
class SyntheticRecordings:
    """Which recordings to write: how many clips per class and split, each
    how long, at what rate, in how many channels. ``seed`` makes the scenes'
    sounds; ``recording_seed`` (``seed`` unless given) the locations and
    clips: another one records new clips of the same scenes, for a model
    trained on the first to classify. The defaults are the config's
    ``example_audio`` section's."""

    n_classes: int = 5
    n_train: int = 24
    n_test: int = 8
    seconds: float = 10.0
    sample_rate: int = 44100
    channels: int = 1
    seed: int = 42
    recording_seed: int | None = None


def scene_sound(class_index: int, seed: int) -> SceneSound:
    rng = np.random.default_rng([seed, 7919, class_index])
    return SceneSound(
        tilt_db=float(rng.uniform(-9.0, -3.0)),
        bump_hz=float(np.exp(rng.uniform(np.log(150.0), np.log(6000.0)))),
        bump_octaves=float(rng.uniform(0.4, 1.5)),
        bump_db=float(rng.uniform(6.0, 18.0)),
        hum_hz=float(rng.uniform(40.0, 400.0)) if rng.random() < 0.7 else 0.0,
        hum_level=float(rng.uniform(0.1, 0.6)),
        event_kind=EVENT_KINDS[class_index % len(EVENT_KINDS)],
        event_rate=float(rng.uniform(0.3, 4.0)),
        event_hz=float(np.exp(rng.uniform(np.log(800.0), np.log(6000.0)))),
        event_level=float(rng.uniform(0.3, 1.0)),
        swell_hz=float(rng.uniform(0.05, 0.5)),
        swell_depth=float(rng.uniform(0.0, 0.6)),
    )


def slug(name: str) -> str:
    """A scene name as a file-name part (``cafe/restaurant`` -> ``cafe_restaurant``)."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def _background(rng, sound: SceneSound, n: int, sample_rate: int, shift: float) -> np.ndarray:
    spectrum = np.fft.rfft(rng.standard_normal(n))
    frequencies = np.maximum(np.fft.rfftfreq(n, 1 / sample_rate), 20.0)
    octaves = np.log2(frequencies / (sound.bump_hz * shift))
    tilt = sound.tilt_db + rng.normal(0.0, CLIP_TILT_DB)
    level_db = tilt * np.log2(frequencies / 1000.0) + sound.bump_db * np.exp(
        -0.5 * (octaves / sound.bump_octaves) ** 2
    )
    noise = np.fft.irfft(spectrum * 10 ** (level_db / 20), n)
    return noise / (np.std(noise) + 1e-12)


def _events(rng, sound: SceneSound, n: int, sample_rate: int, shift: float) -> np.ndarray:
    out = np.zeros(n)
    for _ in range(rng.poisson(sound.event_rate * n / sample_rate)):
        length = int(sample_rate * {"chirp": 0.12, "click": 0.015, "beep": 0.15}[sound.event_kind])
        length = max(2, min(length, n))
        start = int(rng.integers(0, n - length + 1))
        t = np.arange(length) / sample_rate
        hz = min(sound.event_hz * shift, 0.45 * sample_rate)
        if sound.event_kind == "chirp":
            sweep = hz * (1 + 0.5 * t / t[-1])
            wave = np.sin(2 * np.pi * np.cumsum(np.minimum(sweep, 0.45 * sample_rate)) / sample_rate)
        elif sound.event_kind == "click":
            wave = rng.standard_normal(length) * np.exp(-t / 0.003)
        else:
            wave = np.sin(2 * np.pi * hz * t)
        out[start : start + length] += wave * np.hanning(length) * rng.uniform(0.5, 1.0)
    return out


def scene_clip(
    recordings: SyntheticRecordings, class_index: int, location: int, clip: int, split: str
) -> np.ndarray:
    """One recording of ``recordings`` (its length, sample rate, channels
    and seeds), ``(samples, channels)`` float32 with a peak below 1."""
    sound = scene_sound(class_index, recordings.seed)
    recording_seed = recordings.seed if recordings.recording_seed is None else recordings.recording_seed
    place = np.random.default_rng([recording_seed, 104729, class_index, _SPLIT_KEYS[split], location])
    shift, gain_db = float(np.exp(place.normal(0.0, LOCATION_SHIFT))), float(place.uniform(-4.0, 4.0))
    rng = np.random.default_rng([recording_seed, class_index, _SPLIT_KEYS[split], location, clip])
    sample_rate, channels = recordings.sample_rate, recordings.channels
    n = max(1, round(recordings.seconds * sample_rate))
    t = np.arange(n) / sample_rate
    swell = 1 + sound.swell_depth * np.sin(2 * np.pi * sound.swell_hz * t + rng.uniform(0, 2 * np.pi))
    mono = _background(rng, sound, n, sample_rate, shift) * swell
    if sound.hum_hz:
        for harmonic in (1, 2, 3):
            hz = sound.hum_hz * shift * harmonic
            if hz < 0.45 * sample_rate:
                phase = rng.uniform(0, 2 * np.pi)
                mono += sound.hum_level / harmonic * np.sqrt(2) * np.sin(2 * np.pi * hz * t + phase)
    mono += sound.event_level * 4 * _events(rng, sound, n, sample_rate, shift)
    recording = np.stack([mono] * channels, axis=1)
    if channels > 1:
        recording[:, 1:] += 0.1 * rng.standard_normal((n, channels - 1))
    peak = PEAK * 10 ** (gain_db / 20)
    return (recording * peak / (np.max(np.abs(recording)) + 1e-12)).astype(np.float32)


def write_audio_folder(
    folder: str | Path, recordings: SyntheticRecordings = SyntheticRecordings()
) -> dict[str, Path]:
    """Write ``recordings.n_train`` and ``n_test`` clips per class into
    ``folder`` in the DCASE layout; return the paths of ``audio``, ``meta``
    and ``split``."""
    import soundfile

    folder = Path(folder)
    (folder / "audio").mkdir(parents=True, exist_ok=True)
    rows = []
    for class_index, label in enumerate(class_names(recordings.n_classes)):
        first_location = 0
        for split, count in (("train", recordings.n_train), ("test", recordings.n_test)):
            for clip in range(count):
                location = first_location + clip // CLIPS_PER_LOCATION
                name = f"audio/{slug(label)}_{location:02d}_{clip % CLIPS_PER_LOCATION}.wav"
                samples = scene_clip(recordings, class_index, location, clip, split)
                with atomic_path(folder / name) as partial:
                    soundfile.write(partial, samples, recordings.sample_rate, subtype="PCM_16", format="WAV")
                rows.append((name, label, f"{slug(label)}-{location:02d}", split))
            first_location += -(-count // CLIPS_PER_LOCATION)
    rows.sort()
    write_text(
        folder / "meta.csv",
        "filename\tscene_label\tidentifier\n"
        + "".join(f"{n}\t{lab}\t{ident}\n" for n, lab, ident, _ in rows),
    )
    write_text(folder / "split.csv", "filename,split\n" + "".join(f"{n},{split}\n" for n, *_, split in rows))
    return {"audio": folder / "audio", "meta": folder / "meta.csv", "split": folder / "split.csv"}
