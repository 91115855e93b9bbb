"""From a recording to its log mel-band energies, with librosa.

The feature is the DCASE 2017 Task 1 baseline's: a magnitude spectrogram
(Hamming window, centred frames) through librosa's mel filter bank (Slaney
scale and area normalisation), then the natural logarithm of each band's
energy plus a floor (:data:`LOG_FLOOR`), so that silence gives a finite value.
At the defaults (44.1 kHz, 40 ms windows, 20 ms hop, 40 bands) a 10-second
clip gives 40 bands x 501 frames, the reference study's shape.

Every clip is made to the settings before its features are computed: stereo
(any number of channels) is averaged to one, another sample rate is
resampled with librosa (soxr), and a clip shorter than ``clip_s`` is padded
with silence at its end, a longer one cut; each of these is recorded in the
clip's facts, which the gather counts. Two kinds of padding bend the data
more and are named too: a recording holding fewer samples than its header
promises (a truncated WAV or AIFF file, which libsndfile reads as far as it
goes), and a clip shorter than :data:`SHORT_CLIP` of ``clip_s``. A file that
cannot be read, holds no samples or holds a sample that is NaN or infinite
raises :class:`AscflowError` naming it.

librosa and soundfile are imported inside the functions that use them, so
that listing a folder or gathering chunks does not load them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from ascflow.configuration import on_command_line
from ascflow.errors import AscflowError

#: Added to every band energy before the logarithm, as the DCASE baseline
#: does (NumPy's float64 machine epsilon): silence gives log(LOG_FLOOR).
LOG_FLOOR = float(np.spacing(1.0))
#: The window function of the DCASE 2017 baseline (periodic Hamming).
WINDOW = "hamming"
#: What every extraction does besides its settings, as facts: a model
#: bundle records them beside the settings, and a bundle whose front-end is
#: not this one is refused rather than fed other features than it learnt on.
FRONT_END = {
    "downmix": "mean_of_channels",
    "resample": "librosa_soxr_hq",
    "fit": "pad_with_silence_or_cut_at_end",
    "window": WINDOW,
    "centred_frames": True,
    "magnitude_power": 1.0,
    "mel_scale": "slaney",
    "logarithm": "natural",
    "log_floor": LOG_FLOOR,
}
#: A clip whose every sample is below one step of 16-bit audio is silent.
SILENCE_PEAK = 2.0**-15
#: A clip holding less than this part of ``clip_s`` is short: more than a
#: tenth of it is padding, which the features show as a block of frames at
#: the log floor, far below any sound, and a network can learn as a cue.
#: Within a tenth (rounding, a file a few frames short of 10 s) it is only
#: counted as padded.
SHORT_CLIP = 0.9


@dataclass(frozen=True)
class AudioSettings:
    """The config's ``audio`` section, checked: how recordings become features."""

    sample_rate: int
    window_s: float
    hop_s: float
    n_fft: int
    n_mels: int
    fmin: float
    fmax: float
    clip_s: float

    @property
    def win_length(self) -> int:
        return round(self.window_s * self.sample_rate)

    @property
    def hop_length(self) -> int:
        return round(self.hop_s * self.sample_rate)

    @property
    def clip_samples(self) -> int:
        return round(self.clip_s * self.sample_rate)

    @property
    def n_frames(self) -> int:
        """Frames of a clip: librosa centres them, so one more than whole hops."""
        return 1 + self.clip_samples // self.hop_length

    @property
    def shape(self) -> tuple[int, int]:
        return (self.n_mels, self.n_frames)

    def as_dict(self) -> dict:
        return asdict(self)


def audio_settings(section: Mapping) -> AudioSettings:
    """The ``audio`` config section as :class:`AudioSettings`; one sentence
    naming the key when the values do not fit together."""
    settings = AudioSettings(
        sample_rate=int(section["sample_rate"]),
        window_s=float(section["window_s"]),
        hop_s=float(section["hop_s"]),
        n_fft=int(section["n_fft"]),
        n_mels=int(section["n_mels"]),
        fmin=float(section["fmin"]),
        fmax=float(section["fmax"]),
        clip_s=float(section["clip_s"]),
    )
    rate = settings.sample_rate
    if settings.win_length < 1 or settings.hop_length < 1:
        key = "window_s" if settings.win_length < 1 else "hop_s"
        raise AscflowError(
            f"config key audio.{key}: is shorter than one sample at {rate} Hz{on_command_line('audio', key)}."
        )
    if settings.n_fft < settings.win_length:
        raise AscflowError(
            f"config key audio.n_fft: {settings.n_fft} is shorter than the window "
            f"({settings.window_s:g} s = {settings.win_length} samples at {rate} Hz)"
            f"{on_command_line('audio', 'n_fft')}."
        )
    if settings.fmax > rate / 2:
        raise AscflowError(
            f"config key audio.fmax: {settings.fmax:g} Hz lies above half the sample rate "
            f"({rate / 2:g} Hz of audio.sample_rate {rate}){on_command_line('audio', 'fmax')}."
        )
    if settings.fmin >= settings.fmax:
        raise AscflowError(
            f"config key audio.fmin: {settings.fmin:g} Hz is not below audio.fmax ({settings.fmax:g} Hz)"
            f"{on_command_line('audio', 'fmin')}."
        )
    if settings.clip_samples < 1:
        raise AscflowError(
            f"config key audio.clip_s: is shorter than one sample at {rate} Hz"
            f"{on_command_line('audio', 'clip_s')}."
        )
    return settings


def log_mel(signal: np.ndarray, settings: AudioSettings) -> np.ndarray:
    """Log mel-band energies of a mono signal at ``settings.sample_rate``:
    ``(n_mels, frames)`` float32."""
    import librosa

    mel = librosa.feature.melspectrogram(
        y=np.asarray(signal, dtype=np.float32),
        sr=settings.sample_rate,
        n_fft=settings.n_fft,
        hop_length=settings.hop_length,
        win_length=settings.win_length,
        window=WINDOW,
        center=True,
        power=1.0,
        n_mels=settings.n_mels,
        fmin=settings.fmin,
        fmax=settings.fmax,
    )
    return np.log(mel.astype(np.float64) + LOG_FLOOR).astype(np.float32)


def header_frames(path: str | Path) -> int | None:
    """The sample frames the header of a WAV or AIFF file promises (its data
    chunk's size over the frame size; AIFF's frame count); None for other
    formats, and where the header leaves it open (a stream's placeholder)."""
    import struct

    with open(path, "rb") as handle:
        head = handle.read(12)
        if head[:4] in (b"RIFF", b"RIFX") and head[8:12] == b"WAVE":
            order, wanted = ("<" if head[:4] == b"RIFF" else ">"), (b"fmt ", b"data")
        elif head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
            order, wanted = ">", (b"COMM",)
        else:
            return None
        frame_bytes = None
        while len(chunk := handle.read(8)) == 8:
            name, size = chunk[:4], struct.unpack(f"{order}I", chunk[4:])[0]
            if name not in wanted:
                handle.seek(size + size % 2, 1)
                continue
            if name == b"data":
                return size // frame_bytes if frame_bytes and size not in (0, 0xFFFFFFFF) else None
            body = handle.read(min(size, 64))
            if len(body) < 14:
                return None
            if name == b"COMM":
                return struct.unpack(">I", body[2:6])[0]
            frame_bytes = struct.unpack(f"{order}H", body[12:14])[0]
            handle.seek(size + size % 2 - len(body), 1)
    return None


def read_clip(path: str | Path, settings: AudioSettings) -> tuple[np.ndarray, dict]:
    """A recording as the mono clip of ``settings`` (sample rate and length),
    and its facts: the file's own rate, channels and length (and the length
    its header promises), and whether it was mixed down, resampled, padded
    or cut, is truncated, short (:data:`SHORT_CLIP`) or silent."""
    import soundfile

    path = Path(path)
    if not path.is_file():
        raise AscflowError(f"{path}: file not found.")
    if path.stat().st_size == 0:
        raise AscflowError(f"{path}: is empty (0 bytes).")
    try:
        samples, rate = soundfile.read(path, dtype="float32", always_2d=True)
    except soundfile.LibsndfileError as error:
        reason = str(error.error_string).strip().rstrip(".")
        raise AscflowError(f"{path}: cannot be read as audio ({reason}).") from None
    except (soundfile.SoundFileError, RuntimeError, ValueError) as error:
        raise AscflowError(f"{path}: cannot be read as audio ({error}).") from None
    if samples.shape[0] == 0 or samples.shape[1] == 0:
        raise AscflowError(f"{path}: holds no samples.")
    not_finite = ~np.isfinite(samples)
    if not_finite.any():
        first = int(np.flatnonzero(not_finite.any(axis=1))[0])
        raise AscflowError(
            f"{path}: {int(not_finite.sum())} samples are NaN or infinite (first at {first / rate:.3f} s)."
        )
    promised = header_frames(path)
    facts = {
        "sample_rate": int(rate),
        "channels": int(samples.shape[1]),
        "seconds": samples.shape[0] / rate,
        "header_seconds": promised / rate if promised is not None else None,
        "truncated": promised is not None and promised > samples.shape[0],
    }
    signal = samples.mean(axis=1) if samples.shape[1] > 1 else samples[:, 0]
    if rate != settings.sample_rate:
        import librosa

        signal = librosa.resample(signal, orig_sr=rate, target_sr=settings.sample_rate)
    target = settings.clip_samples
    facts.update(
        mixed_down=samples.shape[1] > 1,
        resampled=rate != settings.sample_rate,
        padded=signal.shape[0] < target,
        cut=signal.shape[0] > target,
        short=signal.shape[0] < SHORT_CLIP * target,
    )
    if signal.shape[0] < target:
        signal = np.pad(signal, (0, target - signal.shape[0]))
    signal = np.ascontiguousarray(signal[:target], dtype=np.float32)
    facts["silent"] = bool(np.max(np.abs(signal)) < SILENCE_PEAK)
    return signal, facts


def extract_features(paths: list[str | Path], settings: AudioSettings) -> tuple[np.ndarray, list[dict]]:
    """The log mel-band energies of each file, ``(files, n_mels, frames)``
    float32 in the order given, and each file's facts (:func:`read_clip`)."""
    features = np.empty((len(paths), *settings.shape), dtype=np.float32)
    facts = []
    for index, path in enumerate(paths):
        signal, clip_facts = read_clip(path, settings)
        features[index] = log_mel(signal, settings)
        facts.append(clip_facts)
    return features, facts
