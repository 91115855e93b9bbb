"""Log mel-band energies as the DCASE baseline computes them, checked against
librosa called directly; recordings mixed down, resampled and fitted to the
clip length; bad recordings and settings named in one sentence; and what a
recording's header promises against what it holds, and clips much shorter
than the clip length: padded as ever, and said."""

from __future__ import annotations

import re

import librosa
import numpy as np
import pytest
import soundfile
import yaml
from ascflow import AscflowError
from ascflow.data.audio import (
    LOG_FLOOR,
    SHORT_CLIP,
    audio_settings,
    extract_features,
    header_frames,
    read_clip,
)
from support import REPO, TINY_AUDIO, write_wav
from support import TINY_SETTINGS as SETTINGS

SCHEMA = yaml.safe_load((REPO / "workflow/schemas/config.schema.yaml").read_text())
#: The schema's defaults of the audio section (config.yaml repeats them).
DEFAULT_AUDIO = {key: spec["default"] for key, spec in SCHEMA["properties"]["audio"]["properties"].items()}
DEFAULTS = audio_settings(DEFAULT_AUDIO)


def librosa_directly(signal: np.ndarray, settings) -> np.ndarray:
    """The DCASE 2017 baseline's log mel-band energies, librosa called by hand:
    a magnitude spectrogram with a periodic Hamming window, Slaney mel bands,
    the natural log of each band plus NumPy's machine epsilon."""
    mel = librosa.feature.melspectrogram(
        y=signal.astype(np.float32),
        sr=settings.sample_rate,
        n_fft=settings.n_fft,
        hop_length=round(settings.hop_s * settings.sample_rate),
        win_length=round(settings.window_s * settings.sample_rate),
        window="hamming",
        power=1.0,
        n_mels=settings.n_mels,
        fmin=settings.fmin,
        fmax=settings.fmax,
    )
    return np.log(mel.astype(np.float64) + np.spacing(1.0))


# ---- features against librosa ---------------------------------------------------


def test_ten_second_clip_at_the_defaults_is_40_by_501(tmp_path):
    assert yaml.safe_load((REPO / "config/config.yaml").read_text())["audio"] == DEFAULT_AUDIO
    assert DEFAULTS.shape == (40, 501)
    noise = np.random.default_rng(0).normal(scale=0.1, size=(441000, 2))
    features, facts = extract_features([write_wav(tmp_path / "a.wav", noise, 44100)], DEFAULTS)
    assert features.shape == (1, 40, 501) and features.dtype == np.float32
    assert facts[0]["mixed_down"] and not (facts[0]["resampled"] or facts[0]["padded"] or facts[0]["cut"])


def test_pure_tone_lands_in_its_mel_band_as_librosa_computes_it(tmp_path):
    centres = librosa.mel_frequencies(DEFAULTS.n_mels + 2, fmin=DEFAULTS.fmin, fmax=DEFAULTS.fmax)[1:-1]
    band = 17
    t = np.arange(441000) / 44100
    tone = 0.5 * np.sin(2 * np.pi * centres[band] * t)
    path = write_wav(tmp_path / "tone.wav", tone, 44100, subtype="FLOAT")
    features, _ = extract_features([path], DEFAULTS)
    expected = librosa_directly(soundfile.read(path, dtype="float32")[0], DEFAULTS)
    np.testing.assert_allclose(features[0], expected, rtol=1e-5, atol=1e-5)
    assert int(np.argmax(features[0].mean(axis=1))) == band


def test_silence_gives_the_floor_value(tmp_path):
    path = write_wav(tmp_path / "silence.wav", np.zeros(441000), 44100)
    features, facts = extract_features([path], DEFAULTS)
    assert np.all(features == np.float32(np.log(np.spacing(1.0)))) and LOG_FLOOR == np.spacing(1.0)
    np.testing.assert_array_equal(
        features[0], librosa_directly(np.zeros(441000), DEFAULTS).astype(np.float32)
    )
    assert facts[0]["silent"]


@pytest.mark.parametrize(("seconds", "change"), [(0.6, "padded"), (1.4, "cut")])
def test_stereo_at_another_rate_is_mixed_resampled_and_fitted(tmp_path, seconds, change):
    rng = np.random.default_rng(1)
    stereo = rng.uniform(-0.5, 0.5, size=(round(seconds * 22050), 2)).astype(np.float32)
    path = write_wav(tmp_path / "stereo.wav", stereo, 22050, subtype="FLOAT")
    signal, facts = read_clip(path, SETTINGS)
    assert facts["mixed_down"] and facts["resampled"] and facts[change] and facts["sample_rate"] == 22050
    by_hand = librosa.resample(stereo.mean(axis=1), orig_sr=22050, target_sr=8000)
    by_hand = np.pad(by_hand, (0, max(0, 8000 - by_hand.size)))[:8000]
    np.testing.assert_allclose(signal, by_hand, atol=1e-6)
    features, _ = extract_features([path], SETTINGS)
    np.testing.assert_allclose(features[0], librosa_directly(by_hand, SETTINGS), rtol=1e-5, atol=1e-5)


BAD_FILES = {
    "unreadable": (
        lambda path: path.write_bytes(b"not audio at all" * 64),
        r"cannot be read as audio \(.+\)\.",
    ),
    "empty": (lambda path: path.write_bytes(b""), r"is empty \(0 bytes\)\."),
    "no-samples": (lambda path: write_wav(path, np.zeros((0, 1)), 8000), r"holds no samples\."),
    "not-finite": (
        lambda path: write_wav(path, np.r_[np.zeros(4000), np.nan, np.inf, np.zeros(10)], 8000, "FLOAT"),
        r"2 samples are NaN or infinite \(first at 0\.500 s\)\.",
    ),
}


@pytest.mark.parametrize(("make", "message"), BAD_FILES.values(), ids=BAD_FILES)
def test_bad_recording_is_named_in_one_sentence(tmp_path, make, message):
    path = tmp_path / "bad.wav"
    make(path)
    with pytest.raises(AscflowError, match=f"^{re.escape(str(path))}: {message}$"):
        extract_features([path], SETTINGS)


def test_settings_that_do_not_fit_name_their_key():
    for change, key in (({"n_fft": 256}, "n_fft"), ({"fmax": 5000}, "fmax"), ({"fmin": 4000}, "fmin")):
        with pytest.raises(AscflowError, match=f"^config key audio\\.{key}: "):
            audio_settings(TINY_AUDIO | change)


# ---- what the header promises --------------------------------------------------------


def truncate(path, keep_bytes: int) -> None:
    """Cut a written file short, as an interrupted copy or download leaves it."""
    path.write_bytes(path.read_bytes()[:keep_bytes])


@pytest.mark.parametrize(("suffix", "subtype"), [("wav", "PCM_16"), ("wav", "FLOAT"), ("aiff", "PCM_24")])
def test_truncated_file_is_told_by_its_header(tmp_path, suffix, subtype):
    path = tmp_path / f"clip.{suffix}"
    samples = np.random.default_rng(0).uniform(-0.5, 0.5, size=(8000, 2))
    soundfile.write(path, samples, 8000, subtype=subtype)
    assert header_frames(path) == 8000
    whole = read_clip(path, SETTINGS)[1]
    assert not whole["truncated"] and whole["header_seconds"] == 1.0

    truncate(path, path.stat().st_size * 3 // 4)
    assert header_frames(path) == 8000  # the header still promises the whole
    signal, facts = read_clip(path, SETTINGS)
    held = soundfile.info(path).frames
    assert facts["truncated"] and facts["padded"] and held < 8000
    assert facts["seconds"] == held / 8000 and signal.shape == (8000,) and not signal[held:].any()


def test_other_formats_promise_nothing_they_could_break(tmp_path):
    path = tmp_path / "clip.flac"
    soundfile.write(path, np.zeros(800), 8000)
    assert header_frames(path) is None
    (tmp_path / "text.wav").write_text("not a header at all")
    assert header_frames(tmp_path / "text.wav") is None


@pytest.mark.parametrize(("seconds", "short"), [(SHORT_CLIP - 0.05, True), (SHORT_CLIP + 0.05, False)])
def test_clip_much_shorter_than_clip_s_is_short(tmp_path, seconds, short):
    path = tmp_path / "clip.wav"
    soundfile.write(path, np.full(round(seconds * 8000), 0.1), 8000)
    facts = read_clip(path, SETTINGS)[1]
    assert facts["padded"] and facts["short"] == short and not facts["truncated"]
