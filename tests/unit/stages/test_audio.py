"""From recordings to the data folder, without Snakemake: log mel-band
energies against librosa called directly, the DCASE folder layout, chunks
gathered in file order, bad audio named in one sentence. The audio rules
through Snakemake's command line are tests/workflow/test_audio_rules.py."""

from __future__ import annotations

import json
import re
from pathlib import Path

import librosa
import numpy as np
import pytest
import soundfile
import yaml
from ascflow import AscflowError
from ascflow.data.audio import LOG_FLOOR, audio_settings, extract_features, read_clip
from ascflow.data.audio_folder import chunk_paths, gather_chunks, list_recordings, read_chunk
from ascflow.stages.audio import Chunks, GatheredFiles, GatherFeatures, GatherSettings, gather_features
from support import REPO, TINY_AUDIO, extract, recordings, write_wav
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


# ---- the folder layout ------------------------------------------------------------


def write_lines(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{line}\n" for line in lines))


def layout(folder: Path, meta: list[str], split: list[str] | None = None, folds=None) -> Path:
    """A folder of six silent-enough recordings with the given tables."""
    for index in range(6):
        write_wav(folder / "audio" / f"r{index}.wav", np.full(800, 0.1 * (index + 1)), 8000)
    write_lines(folder / "meta.csv", meta)
    if split is not None:
        write_lines(folder / "split.csv", split)
    for name, lines in (folds or {}).items():
        write_lines(folder / "evaluation_setup" / name, lines)
    return folder


SCENES = ["bus", "park", "bus", "park", "bus", "park"]
SIDES = ["train", "train", "train", "train", "test", "test"]


def test_tab_and_comma_tables_with_or_without_header_list_the_same(tmp_path):
    dcase = layout(
        tmp_path / "dcase",
        ["filename\tscene_label\tidentifier"]
        + [f"audio/r{i}.wav\t{s}\tloc{i // 2}" for i, s in enumerate(SCENES)],
        folds={
            "fold1_train.txt": [f"audio/r{i}.wav\t{SCENES[i]}" for i in range(4)],
            "fold1_evaluate.txt": [f"audio/r{i}.wav\t{SCENES[i]}" for i in (4, 5)],
        },
    )
    plain = layout(
        tmp_path / "plain",
        [f"r{i}.wav,{s},loc{i // 2}" for i, s in enumerate(SCENES)],
        split=["filename,split"] + [f"r{i}.wav,{side}" for i, side in enumerate(SIDES)],
    )
    first, second = list_recordings(dcase, 4), list_recordings(plain, 4)
    assert first["files"] == second["files"]
    assert [(e["file"], e["label"], e["group"], e["split"], e["chunk"]) for e in first["files"]] == [
        (f"audio/r{i}.wav", SCENES[i], f"loc{i // 2}", SIDES[i], "0000" if i < 4 else "0001")
        for i in range(6)
    ]
    assert first["split_source"] == "evaluation_setup/fold1_train.txt + evaluation_setup/fold1_evaluate.txt"
    # No identifier column: each recording is its own group.
    no_ids = layout(
        tmp_path / "no_ids",
        [f"r{i}.wav\t{s}" for i, s in enumerate(SCENES)],
        split=[f"r{i}.wav,{side}" for i, side in enumerate(SIDES)],
    )
    listed = list_recordings(no_ids, 4)
    assert not listed["has_groups"] and [e["group"] for e in listed["files"]] == [
        f"audio/r{i}.wav" for i in range(6)
    ]


LAYOUT_ERRORS = {
    "label-missing": (
        ["r0.wav,bus", "r1.wav,", "r2.wav,bus"],
        None,
        r"{meta} line 2: audio/r1\.wav has no scene label\.",
    ),
    "listed-but-absent": (
        ["r0.wav,bus", "gone.wav,park"],
        ["r0.wav,train", "gone.wav,test"],
        r"{folder}/audio/gone\.wav: listed in meta\.csv but not found\.",
    ),
    "listed-twice": (
        ["r0.wav,bus", "audio/r0.wav,bus"],
        None,
        r"{meta} line 2: audio/r0\.wav is listed twice .*",
    ),
    "unknown-split": (
        ["r0.wav,bus", "r1.wav,park"],
        ["r0.wav,train", "r1.wav,validation"],
        r"{split} line 2: audio/r1\.wav has split 'validation'; it must be train or test\.",
    ),
    "split-names-unlisted": (
        ["r0.wav,bus", "r1.wav,park"],
        ["r0.wav,train", "r1.wav,test", "r2.wav,test"],
        r"{split} line 3: audio/r2\.wav is not listed in meta\.csv\.",
    ),
    "no-test-split": (
        ["r0.wav,bus", "r1.wav,park"],
        ["r0.wav,train", "r1.wav,train"],
        r"{split}: no file is in the test split; .*",
    ),
}


@pytest.mark.parametrize(("meta", "split", "message"), LAYOUT_ERRORS.values(), ids=LAYOUT_ERRORS)
def test_listing_problems_name_the_file(tmp_path, meta, split, message):
    folder = layout(tmp_path / "rec", meta, split=split or ["r0.wav,train", "r1.wav,test", "r2.wav,test"])
    pattern = message.format(
        folder=re.escape(str(folder)),
        meta=re.escape(str(folder / "meta.csv")),
        split=re.escape(str(folder / "split.csv")),
    )
    with pytest.raises(AscflowError, match=f"^{pattern}$"):
        list_recordings(folder, 4)


def test_unlisted_and_unsplit_recordings_are_left_out_and_named(tmp_path):
    folder = layout(
        tmp_path / "rec",
        [f"r{i}.wav,{SCENES[i]}" for i in range(5)],
        split=["r0.wav,train", "r1.wav,train", "r2.wav,test", "r3.wav,test"],
    )
    listed = list_recordings(folder, 4)
    assert listed["unlisted"] == ["audio/r5.wav"] and listed["unsplit"] == ["audio/r4.wav"]
    assert [entry["file"] for entry in listed["files"]] == [f"audio/r{i}.wav" for i in range(4)]
    with pytest.raises(
        AscflowError,
        match=r"^.*/audio: 1 recordings are not listed in meta\.csv \(audio/r5\.wav\); .*audio_checks: warn",
    ):
        list_recordings(folder, 4, audio_checks="error")


# ---- chunks and the gather ------------------------------------------------------------


def test_chunks_gather_in_file_order(tmp_path):
    folder = recordings(tmp_path / "rec", channels=2)
    manifest_path = tmp_path / "manifest.json"
    manifest = list_recordings(folder, 4)
    manifest_path.write_text(json.dumps(manifest))
    chunks = {}
    for chunk in reversed(manifest["chunks"]):  # finishing in any order
        chunks[chunk] = str(tmp_path / "chunks" / f"{chunk}.npz")
        extract(chunk_paths(manifest, chunk), chunks[chunk])
    out = tmp_path / "data"
    facts = gather_features(
        GatherFeatures(
            Chunks(str(manifest_path), list(chunks.values())),
            GatheredFiles(str(out / "X_train.npy"), str(tmp_path / "facts.json")),
            GatherSettings(TINY_AUDIO, "warn"),
        )
    )
    assert len(manifest["chunks"]) == 5 and facts["chunks"] == 5 and facts["mixed_down"] == 18
    for split in ("train", "test"):
        entries = [entry for entry in manifest["files"] if entry["split"] == split]
        expected, _ = extract_features([folder / entry["file"] for entry in entries], SETTINGS)
        np.testing.assert_array_equal(np.load(out / f"X_{split}.npy"), expected)
        assert np.load(out / f"y_{split}.npy").tolist() == [entry["label"] for entry in entries]
        assert np.load(out / f"groups_{split}.npy").tolist() == [entry["group"] for entry in entries]
    assert (out / "classes.txt").read_text().split("\n")[:3] == ["beach", "bus", "cafe/restaurant"]

    # A chunk file holding other recordings than the listing says is refused.
    features, chunk_facts, settings = read_chunk(chunks["0001"])
    np.savez(
        chunks["0001"],
        features=features,
        facts=np.array(json.dumps(chunk_facts[::-1])),
        settings=np.array(json.dumps(settings)),
    )
    with pytest.raises(
        AscflowError, match=r"0001\.npz: holds other recordings than the listing gives chunk 0001"
    ):
        gather_chunks(manifest, chunks, TINY_AUDIO, tmp_path / "again", "warn")
    assert not (tmp_path / "again" / "X_train.npy").exists()
    # So is a chunk extracted with other settings (as one whose job Snakemake
    # never saw finish, killed in that instant, would be after a change).
    with pytest.raises(AscflowError, match=r"0000\.npz: was extracted with other settings than the config's"):
        gather_chunks(manifest, chunks, TINY_AUDIO | {"n_mels": 10}, tmp_path / "again", "warn")


def test_silent_clip_is_a_warning_or_an_error(tmp_path):
    folder = recordings(tmp_path / "rec")
    silent = next(entry["file"] for entry in list_recordings(folder, 4)["files"] if entry["split"] == "test")
    write_wav(folder / silent, np.zeros(8000), 8000)
    manifest = list_recordings(folder, 100)
    chunk = tmp_path / "0000.npz"
    extract(chunk_paths(manifest, "0000"), str(chunk))
    facts = gather_chunks(manifest, {"0000": str(chunk)}, TINY_AUDIO, tmp_path / "warn", "warn")
    assert facts["silent"] == [silent] and facts["warnings"] == [f"1 clips are wholly silent: {silent}"]
    with pytest.raises(
        AscflowError, match=f"^{re.escape(str(folder / silent))}: is wholly silent .*audio_checks: warn"
    ):
        gather_chunks(manifest, {"0000": str(chunk)}, TINY_AUDIO, tmp_path / "error", "error")
    assert not list((tmp_path / "error").glob("*.npy"))


def test_generated_recordings_are_deterministic_and_scenes_differ(tmp_path):
    first, second = recordings(tmp_path / "a"), recordings(tmp_path / "b")
    for path in sorted((first / "audio").iterdir()):
        assert path.read_bytes() == (second / "audio" / path.name).read_bytes()
    assert (first / "meta.csv").read_text() == (second / "meta.csv").read_text()
    manifest = list_recordings(first, 100)
    features, _ = extract_features(chunk_paths(manifest, "0000"), SETTINGS)
    spectra = features.mean(axis=2)
    spectra -= spectra.mean(axis=1, keepdims=True)  # the shape of the spectrum, not its level
    labels = np.array([entry["label"] for entry in manifest["files"]])
    train = np.array([entry["split"] == "train" for entry in manifest["files"]])
    # Test clips (from other locations) lie nearest their own scene's mean
    # spectrum far more often than chance (1/3).
    names = sorted(set(labels))
    centroids = np.stack([spectra[train & (labels == name)].mean(axis=0) for name in names])
    nearest = np.argmin(((spectra[~train][:, None] - centroids) ** 2).sum(axis=2), axis=1)
    assert (np.array(names)[nearest] == labels[~train]).mean() >= 0.6
