"""The tables of an audio folder: tab or comma, with or without a header,
split.csv or DCASE's fold lists, all read alike; tables that are wrong or
contradict each other stopped with one sentence naming the table and row."""

from __future__ import annotations

import re

import pytest
from ascflow import AscflowError
from ascflow.data.audio_folder import layout_files, list_recordings, read_scene_labels, recording_rows
from ascflow.data.audio_folder.tables import read_meta
from support import (
    TABLE_SCENES,
    TABLE_SIDES,
    dcase_folder,
    folder_with_tables,
    meta_line,
    refuses_listing,
    write_lines,
)


def test_tab_and_comma_tables_with_or_without_header_list_the_same(tmp_path):
    dcase = folder_with_tables(
        tmp_path / "dcase",
        ["filename\tscene_label\tidentifier"]
        + [f"audio/r{i}.wav\t{s}\tloc{i // 2}" for i, s in enumerate(TABLE_SCENES)],
        folds={
            "fold1_train.txt": [f"audio/r{i}.wav\t{TABLE_SCENES[i]}" for i in range(4)],
            "fold1_evaluate.txt": [f"audio/r{i}.wav\t{TABLE_SCENES[i]}" for i in (4, 5)],
        },
    )
    plain = folder_with_tables(
        tmp_path / "plain",
        [f"r{i}.wav,{s},loc{i // 2}" for i, s in enumerate(TABLE_SCENES)],
        split=["filename,split"] + [f"r{i}.wav,{side}" for i, side in enumerate(TABLE_SIDES)],
    )
    first, second = list_recordings(dcase, 4), list_recordings(plain, 4)
    assert first["files"] == second["files"]
    assert [(e["file"], e["label"], e["group"], e["split"], e["chunk"]) for e in first["files"]] == [
        (f"audio/r{i}.wav", TABLE_SCENES[i], f"loc{i // 2}", TABLE_SIDES[i], "0000" if i < 4 else "0001")
        for i in range(6)
    ]
    assert first["split_source"] == "evaluation_setup/fold1_train.txt + evaluation_setup/fold1_evaluate.txt"
    # No identifier column: each recording is its own group.
    no_ids = folder_with_tables(
        tmp_path / "no_ids",
        [f"r{i}.wav\t{s}" for i, s in enumerate(TABLE_SCENES)],
        split=[f"r{i}.wav,{side}" for i, side in enumerate(TABLE_SIDES)],
    )
    listed = list_recordings(no_ids, 4)
    assert not listed["has_groups"] and [e["group"] for e in listed["files"]] == [
        f"audio/r{i}.wav" for i in range(6)
    ]


TABLE_ERRORS = {
    "label-missing": (
        ["r0.wav,bus", "r1.wav,", "r2.wav,bus"],
        None,
        r"{meta} line 2: audio/r1\.wav has no scene label\.",
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
}


@pytest.mark.parametrize(("meta", "split", "message"), TABLE_ERRORS.values(), ids=TABLE_ERRORS)
def test_listing_problems_name_the_file(tmp_path, meta, split, message):
    refuses_listing(tmp_path, meta, split, message)


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


def test_a_missing_table_is_one_sentence(tmp_path):
    with pytest.raises(AscflowError, match=r"^audio_dir .*/nowhere: no such folder\.$"):
        layout_files(tmp_path / "nowhere")
    with pytest.raises(AscflowError, match=r"^audio_dir .*: has no meta\.csv \(file, scene label"):
        layout_files(tmp_path)
    write_lines(tmp_path / "meta.txt", ["a.wav\tbus"])  # DCASE 2017's name of the same table
    with pytest.raises(AscflowError, match=r"^audio_dir .*: has neither split\.csv nor evaluation_setup"):
        layout_files(tmp_path)
    write_lines(tmp_path / "evaluation_setup/fold1_train.csv", ["a.wav,bus"])
    write_lines(tmp_path / "evaluation_setup/fold1_evaluate.csv", ["b.wav,bus"])
    assert layout_files(tmp_path) == {
        "meta": [tmp_path / "meta.txt"],
        "split": [
            tmp_path / "evaluation_setup/fold1_train.csv",
            tmp_path / "evaluation_setup/fold1_evaluate.csv",
        ],
    }


def test_meta_rows_blank_and_comment_lines_left_out(tmp_path):
    meta = tmp_path / "meta.csv"
    write_lines(meta, ["# recorded in 2024", "", "audio\\r0.wav,bus,home", "./r1.wav,park,street"])
    entries, has_groups = read_meta(meta)
    assert has_groups and entries == [
        {"file": "audio/r0.wav", "label": "bus", "group": "home", "device": None, "line": 3},
        {"file": "audio/r1.wav", "label": "park", "group": "street", "device": None, "line": 4},
    ]
    write_lines(meta, ["filename,identifier", "r0.wav,home"])
    with pytest.raises(AscflowError, match=r"the header names no scene label column \(scene_label, label"):
        read_meta(meta)
    write_lines(meta, ["# nothing"])
    with pytest.raises(AscflowError, match=r"meta\.csv: lists no files\.$"):
        read_meta(meta)


def test_scene_labels_and_devices_as_written(tmp_path):
    meta = tmp_path / "meta.csv"
    write_lines(meta, ["filename,scene_label,source_label", "audio/a.wav,bus,a", "b.wav,park,"])
    assert read_scene_labels(meta) == (
        {
            "audio/a.wav": {"label": "bus", "line": 2, "device": "a"},
            "b.wav": {"label": "park", "line": 3, "device": None},
        },
        "source_label",
    )
    write_lines(meta, ["a.wav", "b.wav"])  # an evaluation set's list: no labels
    assert read_scene_labels(meta) is None


def test_rows_name_where_the_tables_list_each_recording(tmp_path):
    folder = dcase_folder(tmp_path / "rec")
    rows = recording_rows(folder)
    assert rows["audio/beach_00_0.wav"] == (
        f"meta.csv line {meta_line(folder, 'audio/beach_00_0.wav')}, evaluation_setup/fold1_train.txt line 1"
    )
    (folder / "meta.csv").unlink()
    assert recording_rows(folder) == {}  # the sentences then name the recordings alone


def test_the_device_comes_from_the_column_or_the_file_name_and_the_group_leaves_it_out(tmp_path):
    names = ["x-1-a", "x-1-s1", "y-2-a", "y-2-s2", "z-3-a", "z-3-s3"]
    for index, name in enumerate(names):  # the folder's recordings, renamed DCASE-style
        folder_with_tables(tmp_path / "rec", ["filename,scene_label"], split=["filename,split"])
        (tmp_path / "rec/audio" / f"r{index}.wav").rename(tmp_path / "rec/audio" / f"{name}.wav")
    scenes = ["bus", "bus", "park", "park", "bus", "park"]
    sides = ["train", "train", "train", "train", "test", "test"]
    split = ["filename,split"] + [f"{name}.wav,{side}" for name, side in zip(names, sides, strict=True)]
    # No device column: the device is the name's suffix, the group the name without it.
    write_lines(
        tmp_path / "rec/meta.csv",
        ["filename,scene_label"] + [f"{name}.wav,{scene}" for name, scene in zip(names, scenes, strict=True)],
    )
    write_lines(tmp_path / "rec/split.csv", split)
    files = list_recordings(tmp_path / "rec", 4)["files"]
    assert [e["device"] for e in files] == ["a", "s1", "a", "s2", "a", "s3"]
    assert [e["group"] for e in files] == [
        "audio/x-1",
        "audio/x-1",
        "audio/y-2",
        "audio/y-2",
        "audio/z-3",
        "audio/z-3",
    ]
    # A source_label column wins over the name.
    write_lines(
        tmp_path / "rec/meta.csv",
        ["filename,scene_label,source_label"]
        + [f"{name}.wav,{scene},dev{i}" for i, (name, scene) in enumerate(zip(names, scenes, strict=True))],
    )
    assert [e["device"] for e in list_recordings(tmp_path / "rec", 4)["files"]] == [
        f"dev{i}" for i in range(6)
    ]
    # Neither: no device.
    no_devices = folder_with_tables(
        tmp_path / "plain",
        [f"r{i}.wav\t{s}" for i, s in enumerate(TABLE_SCENES)],
        split=[f"r{i}.wav,{side}" for i, side in enumerate(TABLE_SIDES)],
    )
    assert {e["device"] for e in list_recordings(no_devices, 4)["files"]} == {None}
