"""The tables of an audio folder may not contradict each other, what the
gathered arrays show is told by recording and table row, and the padding
that bends the data is named."""

from __future__ import annotations

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
    recording_rows,
)
from ascflow.data.synthetic_audio import SyntheticRecordings, write_audio_folder
from ascflow.data.validation import validate_dataset
from support import TINY_AUDIO, dcase_folder, extract, meta_line


def test_fold_list_label_that_meta_contradicts_stops_naming_both(tmp_path):
    folder = dcase_folder(tmp_path / "rec", **{"fold1_train.txt": {3: "audio/beach_00_2.wav\tbus"}})
    table = folder / "evaluation_setup/fold1_train.txt"
    line = meta_line(folder, "audio/beach_00_2.wav")
    with pytest.raises(
        AscflowError,
        match=f"^{re.escape(str(table))} line 3: audio/beach_00_2\\.wav has scene label 'bus', "
        f"but meta\\.csv line {line} gives it 'beach'\\.$",
    ):
        list_recordings(folder, 4)


def test_file_listed_twice_with_two_labels_stops_naming_both_rows(tmp_path):
    twice = {"fold1_evaluate.txt": {2: "audio/beach_01_0.wav\tbus"}}  # line 1 lists it as beach
    folder = dcase_folder(tmp_path / "rec", **twice)
    table = folder / "evaluation_setup/fold1_evaluate.txt"
    with pytest.raises(
        AscflowError,
        match=f"^{re.escape(str(table))} line 2: audio/beach_01_0\\.wav is listed twice with different "
        "scene labels: 'bus' here and 'beach' on line 1\\.$",
    ):
        list_recordings(folder, 4)


def test_scene_that_only_the_test_split_has_stops_at_the_listing(tmp_path):
    folder = dcase_folder(tmp_path / "rec")
    extra = "audio/extra_00_0.wav"
    soundfile.write(folder / extra, np.full(8000, 0.1), 8000)
    with open(folder / "meta.csv", "a") as meta:
        meta.write(f"{extra}\textra\textra-00\n")
    with open(folder / "evaluation_setup/fold1_evaluate.txt", "a") as evaluate:
        evaluate.write(f"{extra}\textra\n")
    table = folder / "evaluation_setup/fold1_evaluate.txt"
    with pytest.raises(
        AscflowError,
        match=f"^{re.escape(str(table))} line 7: {extra} is a test recording of scene 'extra' "
        f"\\(meta\\.csv line {meta_line(folder, extra)}\\), which no training recording has; .*",
    ):
        list_recordings(folder, 4)


def gather(folder: Path, out: Path, audio_checks: str = "warn") -> tuple[dict, dict]:
    """List, extract (one chunk) and gather a folder; the manifest and the facts."""
    manifest = list_recordings(folder, 100)
    chunk = out / "0000.npz"
    extract(chunk_paths(manifest, "0000"), str(chunk))
    return manifest, gather_chunks(manifest, {"0000": str(chunk)}, TINY_AUDIO, out / "data", audio_checks)


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


def test_one_scene_is_not_a_classification(tmp_path):
    folder = tmp_path / "rec"
    write_audio_folder(
        folder, SyntheticRecordings(n_classes=1, n_train=2, n_test=1, seconds=0.1, sample_rate=8000)
    )
    with pytest.raises(
        AscflowError,
        match=f"^{re.escape(str(folder / 'meta.csv'))}: every recording in the splits is of scene 'beach'; "
        "at least 2 scenes are needed\\.$",
    ):
        list_recordings(folder, 4)
