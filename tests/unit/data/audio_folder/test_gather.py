"""The gather: chunk files refused unless they hold the listing's recordings
at the config's settings; what the gathered arrays show told by recording
and table row; and the audio that bends the data (silent, truncated,
short) named, or stopped with audio_checks: error."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
import soundfile
from ascflow import AscflowError
from ascflow.data.audio_folder import (
    RecordingNames,
    chunk_paths,
    gather_chunks,
    list_recordings,
    read_chunk,
    recording_rows,
)
from ascflow.data.validation import validate_dataset
from support import TINY_AUDIO, dcase_folder, extract, meta_line, recordings, write_wav


def gather(folder: Path, out: Path, audio_checks: str = "warn") -> tuple[dict, dict]:
    """List, extract (one chunk) and gather a folder; the manifest and the facts."""
    manifest = list_recordings(folder, 100)
    chunk = out / "0000.npz"
    extract(chunk_paths(manifest, "0000"), str(chunk))
    return manifest, gather_chunks(manifest, {"0000": str(chunk)}, TINY_AUDIO, out / "data", audio_checks)


def extracted_chunks(folder: Path, out: Path) -> tuple[dict, dict[str, str]]:
    """The listing of ``folder`` in chunks of 4, and each chunk extracted into ``out``."""
    manifest = list_recordings(folder, 4)
    chunks = {chunk: str(out / f"{chunk}.npz") for chunk in manifest["chunks"]}
    for chunk, path in chunks.items():
        extract(chunk_paths(manifest, chunk), path)
    return manifest, chunks


def test_a_chunk_of_other_recordings_or_settings_is_refused(tmp_path):
    manifest, chunks = extracted_chunks(recordings(tmp_path / "rec", channels=2), tmp_path / "chunks")
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


def test_a_chunk_not_extracted_is_named(tmp_path):
    manifest, chunks = extracted_chunks(recordings(tmp_path / "rec"), tmp_path / "chunks")
    del chunks["0002"]
    with pytest.raises(AscflowError, match=r"^chunk 0002 of .*/rec: has no extracted features\.$"):
        gather_chunks(manifest, chunks, TINY_AUDIO, tmp_path / "data", "warn")


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


def test_what_validation_finds_names_the_recording_and_its_rows(tmp_path):
    # One training recording of beach: too few for the stratified split.
    folder = dcase_folder(tmp_path / "rec", n_train=1)
    manifest, _ = gather(folder, tmp_path / "out")
    rows = recording_rows(folder)
    assert rows["audio/beach_00_0.wav"] == (
        f"meta.csv line {meta_line(folder, 'audio/beach_00_0.wav')}, evaluation_setup/fold1_train.txt line 1"
    )
    with pytest.raises(AscflowError) as caught:
        validate_dataset(tmp_path / "out/data", names=RecordingNames(manifest))
    assert str(caught.value) == (
        f"the scene labels meta.csv gives the training recordings in {folder}: class beach has 1 training "
        f"clip(s) (recording audio/beach_00_0.wav ({rows['audio/beach_00_0.wav']})); each class needs at "
        "least 2 for the stratified validation split."
    )
    assert ".npy" not in str(caught.value)


def test_a_clip_copied_into_the_test_set_is_named_by_its_recordings(tmp_path):
    folder = dcase_folder(tmp_path / "rec")
    copied = (folder / "audio/bus_00_1.wav").read_bytes()
    (folder / "audio/bus_01_0.wav").write_bytes(copied)  # a test recording
    manifest, _ = gather(folder, tmp_path / "out")
    summary = validate_dataset(tmp_path / "out/data", names=RecordingNames(manifest))[0]
    rows = recording_rows(folder)
    assert summary["warnings"] == [
        "1 test clips are exact copies of training clips (leakage); first: test recording "
        f"audio/bus_01_0.wav ({rows['audio/bus_01_0.wav']}) = train recording audio/bus_00_1.wav "
        f"({rows['audio/bus_00_1.wav']})"
    ]


def test_arrays_are_named_by_the_recordings_they_hold(tmp_path):
    folder = recordings(tmp_path / "rec")
    names = RecordingNames(list_recordings(folder, 4))
    assert names.array("X_train") == f"the features of the training recordings in {folder}"
    assert names.array("y_test") == f"the scene labels meta.csv gives the test recordings in {folder}"
    assert names.array("groups_train") == f"the groups of the training recordings in {folder}"
    (folder / "meta.csv").unlink()  # the rows are read when a sentence needs them, and may be gone
    assert names.clip("test", 0) == "recording audio/beach_01_0.wav"


def test_truncated_and_short_recordings_are_named_or_stop(tmp_path):
    folder = dcase_folder(tmp_path / "rec")
    truncated, short = folder / "audio/bus_00_2.wav", folder / "audio/beach_01_1.wav"
    truncated.write_bytes(truncated.read_bytes()[:8000])  # 44 header bytes, then 3978 of 8000 samples
    soundfile.write(short, np.full(4000, 0.1), 8000, subtype="PCM_16")
    _, facts = gather(folder, tmp_path / "warn")
    assert facts["truncated"] == ["audio/bus_00_2.wav"] and facts["short"] == [
        "audio/beach_01_1.wav",
        "audio/bus_00_2.wav",
    ]
    assert facts["short_below_s"] == 0.9 and facts["padded"] == 2
    assert facts["warnings"] == [
        "1 recordings hold fewer samples than their header promises (truncated files), padded with "
        "silence: audio/bus_00_2.wav",
        "2 clips are shorter than 90% of audio.clip_s (0.9 of 1 s), padded with silence: "
        "audio/beach_01_1.wav, audio/bus_00_2.wav",
    ]
    with pytest.raises(
        AscflowError,
        match=f"^{re.escape(str(truncated))}: is truncated, with 0\\.50 s of the 1\\.00 s its header "
        "promises \\(1 truncated recordings in all: audio/bus_00_2\\.wav\\); .*audio_checks: warn .*",
    ):
        gather(folder, tmp_path / "error", audio_checks="error")
    assert not list((tmp_path / "error/data").glob("*.npy"))
    truncated.unlink()
    soundfile.write(truncated, np.full(8000, 0.1), 8000, subtype="PCM_16")
    with pytest.raises(AscflowError, match=f"^{re.escape(str(short))}: lasts 0\\.50 s, under 90% .*"):
        gather(folder, tmp_path / "error", audio_checks="error")


def test_the_devices_are_gathered_where_every_recording_has_one(tmp_path):
    gather(recordings(tmp_path / "plain"), tmp_path / "plain_out")
    assert set(np.load(tmp_path / "plain_out/data/devices_test.npy").tolist()) == {""}
    devices = recordings(tmp_path / "rec", devices=("a", "s1"), unseen_devices=("s3",), n_test=3)
    manifest, _ = gather(devices, tmp_path / "out")
    written = {
        split: np.load(tmp_path / f"out/data/devices_{split}.npy").tolist() for split in ("train", "test")
    }
    assert written == {
        split: [entry["device"] for entry in manifest["files"] if entry["split"] == split]
        for split in ("train", "test")
    }
    assert set(written["test"]) == {"a", "s1", "s3"}
    summary = validate_dataset(tmp_path / "out/data", names=RecordingNames(manifest))[0]
    assert summary["devices"]["unseen"] == ["s3"]
