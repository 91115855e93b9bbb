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

With ``devices``, each clip is heard through one recording device, in
turn: device ``a`` as recorded, any other through a device-like frequency
response of its own (:func:`device_response_db`: a low and a high roll-off
and two resonances, drawn from the device's name); training clips through
``devices``, test clips through those and ``unseen_devices``, which no
training clip has. The file names then end in the device, as DCASE's do
(``audio/bus_00_1-s2.wav``), and ``meta.csv`` has a ``source_label`` column.

The folder is the one :mod:`ascflow.data.audio_folder` reads: ``audio/*.wav``
(16-bit PCM), a tab-separated ``meta.csv`` with a header (``filename``,
``scene_label``, ``identifier``, and ``source_label`` with devices) and a
comma-separated ``split.csv``. Every file is written whole or not at all,
``meta.csv`` and ``split.csv`` last.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ascflow.data.synthetic import class_names
from ascflow.errors import AscflowError
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
#: The device heard as recorded (DCASE's real device A).
REFERENCE_DEVICE = "a"


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
    #: The devices the clips are heard through, in turn (none: as recorded,
    #: file names without a device); ``unseen_devices`` the test clips' alone.
    devices: tuple[str, ...] = ()
    unseen_devices: tuple[str, ...] = ()

    def __post_init__(self):
        object.__setattr__(self, "devices", tuple(self.devices))
        object.__setattr__(self, "unseen_devices", tuple(self.unseen_devices))
        if self.unseen_devices and not self.devices:
            raise AscflowError(
                "config key example_audio.unseen_devices: needs example_audio.devices, the devices the "
                "training clips are heard through."
            )
        both = sorted(set(self.devices) & set(self.unseen_devices))
        if both:
            raise AscflowError(
                f"config key example_audio.unseen_devices: {', '.join(both)} is in devices too; "
                "an unseen device is one no training clip is heard through."
            )

    def device_of(self, split: str, clip: int) -> str | None:
        """The device clip ``clip`` of ``split`` is heard through (None without devices)."""
        heard = self.devices + (self.unseen_devices if split == "test" else ())
        return heard[clip % len(heard)] if heard else None


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


def random_device_response_db(rng: np.random.Generator, frequencies: np.ndarray) -> np.ndarray:
    """The gain (dB) at each of ``frequencies`` (Hz) of a random device-like
    frequency response: a roll-off below a low corner (100 to 800 Hz, 6 to
    18 dB per octave) and above a high corner (2 to 8 kHz, 6 to 18 dB per
    octave), and two resonances (200 Hz to 6 kHz, -8 to +8 dB, a third of an
    octave to one octave wide). A stand-in for recorded device responses."""
    octaves = np.log2(np.maximum(np.asarray(frequencies, dtype=np.float64), 1.0))
    low, high = np.log2(rng.uniform(100.0, 800.0)), np.log2(rng.uniform(2000.0, 8000.0))
    low_slope, high_slope = rng.uniform(6.0, 18.0, size=2)
    gain = -low_slope * np.maximum(low - octaves, 0.0) - high_slope * np.maximum(octaves - high, 0.0)
    for _ in range(2):
        centre, level, width = (
            np.log2(rng.uniform(200.0, 6000.0)),
            rng.uniform(-8.0, 8.0),
            rng.uniform(1 / 3, 1),
        )
        gain += level * np.exp(-0.5 * ((octaves - centre) / (width / 2)) ** 2)
    return gain


def device_response_db(device: str, frequencies: np.ndarray, seed: int) -> np.ndarray:
    """The response (dB) of the device named ``device`` at ``frequencies``
    (Hz): flat for the reference device ``a``, else drawn from its name and
    ``seed`` (:func:`random_device_response_db`), the same for every clip."""
    if device == REFERENCE_DEVICE:
        return np.zeros(np.shape(frequencies))
    rng = np.random.default_rng([seed, 15485863, *device.encode()])
    return random_device_response_db(rng, frequencies)


def heard_through(samples: np.ndarray, device: str, sample_rate: int, seed: int) -> np.ndarray:
    """A mono signal as ``device`` hears it (:func:`device_response_db`)."""
    spectrum = np.fft.rfft(samples)
    gain = device_response_db(device, np.fft.rfftfreq(samples.size, 1 / sample_rate), seed)
    return np.fft.irfft(spectrum * 10 ** (gain / 20), samples.size)


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
    device = recordings.device_of(split, clip)
    if device is not None:
        mono = heard_through(mono, device, sample_rate, recordings.seed)
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
                device = recordings.device_of(split, clip)
                name = f"audio/{slug(label)}_{location:02d}_{clip % CLIPS_PER_LOCATION}"
                name += f"-{device}.wav" if device else ".wav"
                samples = scene_clip(recordings, class_index, location, clip, split)
                with atomic_path(folder / name) as partial:
                    soundfile.write(partial, samples, recordings.sample_rate, subtype="PCM_16", format="WAV")
                rows.append((name, label, f"{slug(label)}-{location:02d}", split, device))
            first_location += -(-count // CLIPS_PER_LOCATION)
    rows.sort()
    if recordings.devices:
        meta = "filename\tscene_label\tidentifier\tsource_label\n" + "".join(
            f"{n}\t{lab}\t{ident}\t{device}\n" for n, lab, ident, _, device in rows
        )
    else:
        meta = "filename\tscene_label\tidentifier\n" + "".join(
            f"{n}\t{lab}\t{ident}\n" for n, lab, ident, *_ in rows
        )
    write_text(folder / "meta.csv", meta)
    write_text(
        folder / "split.csv", "filename,split\n" + "".join(f"{n},{split}\n" for n, _, _, split, _ in rows)
    )
    return {"audio": folder / "audio", "meta": folder / "meta.csv", "split": folder / "split.csv"}
