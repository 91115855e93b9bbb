"""Stage audio without Snakemake: the example recordings written from the
config's section, and the chunks gathered in file order into the data
folder. The data code the stages call is tested in tests/unit/data
(test_audio.py, test_synthetic_audio.py and audio_folder/); the audio rules
through Snakemake's command line are tests/workflow/test_audio_rules.py."""

from __future__ import annotations

import json

import numpy as np
from ascflow.data.audio import extract_features
from ascflow.data.audio_folder import chunk_paths, list_recordings
from ascflow.stages.audio import (
    Chunks,
    ExampleAudioFiles,
    ExampleAudioSettings,
    GatheredFiles,
    GatherFeatures,
    GatherSettings,
    WriteExampleAudio,
    gather_features,
    write_example_audio,
)
from support import TINY_AUDIO, extract, recordings
from support import TINY_SETTINGS as SETTINGS


def test_example_recordings_are_written_as_the_config_section_says(tmp_path):
    section = {"n_classes": 2, "n_train": 2, "n_test": 1, "seconds": 0.5, "sample_rate": 8000, "channels": 1}
    meta = tmp_path / "example" / "meta.csv"
    write_example_audio(
        WriteExampleAudio(ExampleAudioFiles(str(meta)), ExampleAudioSettings(section, seed=3))
    )
    same = recordings(tmp_path / "same", **section, seed=3)
    assert meta.read_text() == (same / "meta.csv").read_text()
    for path in sorted((same / "audio").iterdir()):
        assert (tmp_path / "example/audio" / path.name).read_bytes() == path.read_bytes()


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
