"""The synthetic recordings: deterministic, told apart by their scenes,
written with the settings SyntheticRecordings gives, whose defaults are
the config's example_audio section's."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, fields, replace

import numpy as np
import pytest
import soundfile
import yaml
from ascflow.data.audio import extract_features
from ascflow.data.audio_folder import chunk_paths, list_recordings
from ascflow.data.synthetic_audio import PEAK, SyntheticRecordings, scene_clip, write_audio_folder
from support import REPO, SMALL_RECORDINGS, recordings
from support import TINY_SETTINGS as SETTINGS


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


def test_defaults_are_the_config_s_example_audio_and_seed():
    schema = yaml.safe_load((REPO / "workflow/schemas/config.schema.yaml").read_text())
    section = schema["properties"]["example_audio"]["properties"]
    config = yaml.safe_load((REPO / "config/config.yaml").read_text())
    defaults = SyntheticRecordings()
    settings = {field.name for field in fields(SyntheticRecordings)} - {"seed", "recording_seed"}
    as_written = {name: getattr(defaults, name) for name in settings}  # the device lists as tuples
    assert {name: section[name]["default"] for name in settings} == {
        name: list(value) if isinstance(value, tuple) else value for name, value in as_written.items()
    }
    assert defaults.seed == config["seed"] and defaults.recording_seed is None
    # The stage passes the config's section as it is (less write) and the seed.
    shipped = {key: value for key, value in config["example_audio"].items() if key != "write"}
    assert SyntheticRecordings(**shipped, seed=config["seed"]) == defaults
    with pytest.raises(FrozenInstanceError):
        defaults.seed = 1


def test_a_clip_has_the_settings_length_rate_and_channels():
    stereo = replace(SMALL_RECORDINGS, seconds=0.25, channels=2)
    clip = scene_clip(stereo, 1, 0, 2, "test")
    assert clip.shape == (2000, 2) and clip.dtype == np.float32
    assert 0 < np.abs(clip).max() < 1 and not np.array_equal(clip[:, 0], clip[:, 1])
    # The peak is PEAK moved by the location's gain of at most 4 dB.
    assert PEAK * 10 ** (-4 / 20) <= np.abs(clip).max() <= PEAK * 10 ** (4 / 20) * 1.0001


def test_a_recording_seed_records_new_clips_of_the_same_scenes():
    small = replace(SMALL_RECORDINGS, seconds=0.25)
    same = scene_clip(replace(small, recording_seed=small.seed), 0, 0, 1, "train")
    assert np.array_equal(scene_clip(small, 0, 0, 1, "train"), same)
    assert not np.array_equal(scene_clip(replace(small, recording_seed=7), 0, 0, 1, "train"), same)
    assert not np.array_equal(scene_clip(small, 0, 0, 1, "test"), same)


def test_the_folder_holds_the_counts_the_settings_give(tmp_path):
    written = write_audio_folder(tmp_path, replace(SMALL_RECORDINGS, n_classes=2, n_train=5, n_test=1))
    assert written == {
        "audio": tmp_path / "audio",
        "meta": tmp_path / "meta.csv",
        "split": tmp_path / "split.csv",
    }
    splits = [line.split(",")[1] for line in written["split"].read_text().splitlines()[1:]]
    assert sorted(splits) == ["test"] * 2 + ["train"] * 10
    info = soundfile.info(next(written["audio"].iterdir()))
    assert info.samplerate == 8000 and info.frames == 8000 and info.subtype == "PCM_16"
    # Five training clips per class fill two locations (four clips at each).
    assert len({line.split("\t")[2] for line in written["meta"].read_text().splitlines()[1:]}) == 2 * 3


def test_devices_hear_the_clips_through_their_own_responses(tmp_path):
    from ascflow.data.synthetic_audio import device_response_db, random_device_response_db

    small = replace(SMALL_RECORDINGS, seconds=0.25, devices=("a", "s1"), unseen_devices=("s4",))
    assert [small.device_of("train", clip) for clip in range(3)] == ["a", "s1", "a"]
    assert [small.device_of("test", clip) for clip in range(4)] == ["a", "s1", "s4", "a"]
    # Device a is the clip as recorded; another device changes it, the same way each time.
    plain = replace(small, devices=(), unseen_devices=())
    assert np.allclose(scene_clip(small, 0, 0, 0, "train"), scene_clip(plain, 0, 0, 0, "train"), atol=1e-6)
    through = scene_clip(small, 0, 0, 1, "train")
    assert not np.allclose(through, scene_clip(plain, 0, 0, 1, "train"), atol=1e-3)
    assert np.array_equal(through, scene_clip(small, 0, 0, 1, "train"))
    frequencies = np.geomspace(20, 20000, 200)
    assert not device_response_db("a", frequencies, 42).any()
    s1, s2 = device_response_db("s1", frequencies, 42), device_response_db("s2", frequencies, 42)
    assert np.ptp(s1) > 6 and not np.allclose(s1, s2)
    # Rolled off at both ends: the extremes lie below the middle.
    response = random_device_response_db(np.random.default_rng(0), np.array([20.0, 1000.0, 20000.0]))
    assert response[0] < response[1] - 6 and response[2] < response[1] - 6
    # The folder names the device at the end of each file and in a source_label column.
    write_audio_folder(tmp_path, replace(small, n_classes=2, n_train=2, n_test=3))
    meta = (tmp_path / "meta.csv").read_text().splitlines()
    assert meta[0] == "filename\tscene_label\tidentifier\tsource_label"
    rows = [line.split("\t") for line in meta[1:]]
    assert all(row[0].endswith(f"-{row[3]}.wav") for row in rows)
    manifest = list_recordings(tmp_path, 100)
    devices = {
        split: sorted({e["device"] for e in manifest["files"] if e["split"] == split})
        for split in ("train", "test")
    }
    assert devices == {"train": ["a", "s1"], "test": ["a", "s1", "s4"]}
