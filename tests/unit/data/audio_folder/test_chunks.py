"""The listing: recordings in a split, in meta.csv order, cut into chunks;
those left out named; scenes a model could not learn stopped; and the chunk
files and digests the extraction jobs work from."""

from __future__ import annotations

import re

import numpy as np
import pytest
import soundfile
from ascflow import AscflowError
from ascflow.data.audio_folder import (
    chunk_digests,
    chunk_id,
    chunk_paths,
    list_recordings,
    named,
    read_chunk,
    recordings_below,
    recordings_on_disk,
    save_chunk,
)
from ascflow.data.synthetic_audio import SyntheticRecordings, write_audio_folder
from support import TABLE_SCENES, dcase_folder, folder_with_tables, meta_line, recordings, refuses_listing

LISTING_ERRORS = {
    "listed-but-absent": (
        ["r0.wav,bus", "gone.wav,park"],
        ["r0.wav,train", "gone.wav,test"],
        r"{folder}/audio/gone\.wav: listed in meta\.csv but not found\.",
    ),
    "no-test-split": (
        ["r0.wav,bus", "r1.wav,park"],
        ["r0.wav,train", "r1.wav,train"],
        r"{split}: no file is in the test split; .*",
    ),
}


@pytest.mark.parametrize(("meta", "split", "message"), LISTING_ERRORS.values(), ids=LISTING_ERRORS)
def test_listing_problems_name_the_file(tmp_path, meta, split, message):
    refuses_listing(tmp_path, meta, split, message)


def test_unlisted_and_unsplit_recordings_are_left_out_and_named(tmp_path):
    folder = folder_with_tables(
        tmp_path / "rec",
        [f"r{i}.wav,{TABLE_SCENES[i]}" for i in range(5)],
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


def test_chunks_cut_the_listing_in_meta_order(tmp_path):
    folder = recordings(tmp_path / "rec")
    manifest = list_recordings(folder, 4)
    files = [entry["file"] for entry in manifest["files"]]
    assert (
        manifest["chunks"]
        == [chunk_id(index) for index in range(5)]
        == ["0000", "0001", "0002", "0003", "0004"]
    )
    assert [entry["chunk"] for entry in manifest["files"]] == [chunk_id(index // 4) for index in range(18)]
    assert chunk_paths(manifest, "0001") == [str(folder / name) for name in files[4:8]]
    assert list(chunk_digests(manifest, "0004")) == files[16:]
    (folder / files[17]).unlink()
    assert chunk_digests(manifest, "0004")[files[17]] == "missing"  # the listing names it


def test_a_chunk_file_keeps_its_features_facts_and_settings(tmp_path):
    features = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    facts = [{"path": "a.wav", "silent": False}, {"path": "b.wav", "silent": True}]
    save_chunk(tmp_path / "0000.npz", features, facts, {"n_mels": 3, "clip_s": 1})
    again, facts_again, settings = read_chunk(tmp_path / "0000.npz")
    np.testing.assert_array_equal(again, features)
    assert facts_again == facts and settings == {"clip_s": 1, "n_mels": 3}
    assert [path.name for path in tmp_path.iterdir()] == ["0000.npz"]  # no partial file left behind


def test_recordings_on_disk_and_below_leave_hidden_files_out(tmp_path):
    for name in (
        "audio/b.WAV",
        "audio/a.flac",
        "audio/.hidden.wav",
        "audio/notes.txt",
        "more/c.ogg",
        ".git/d.wav",
    ):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"")
    assert recordings_on_disk(tmp_path) == ["audio/a.flac", "audio/b.WAV"]
    assert recordings_below(tmp_path) == ["audio/a.flac", "audio/b.WAV", "more/c.ogg"]
    assert recordings_on_disk(tmp_path / "more") == []


def test_named_shows_ten_and_counts_the_rest():
    assert named(["a", "b"]) == "a, b"
    assert named([f"f{i}" for i in range(13)]) == ", ".join(f"f{i}" for i in range(10)) + " and 3 more"
