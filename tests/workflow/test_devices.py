"""Recording devices through Snakemake's command line, on a tiny folder in
the DCASE layout whose file names end in their device (``-a``, ``-s1``) and
whose meta.csv has neither identifiers nor a device column: the devices
travel with the features, a segment heard through two devices is one
recording in the networks' grouped split, and the evaluation and report give
each device's accuracy, the unseen device marked, with summary.tsv's device
columns."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace

import numpy as np
from ascflow.data.synthetic_audio import write_audio_folder
from ascflow.files import read_table
from support import SMALL_RECORDINGS, audio_args, audio_config, snakemake


def dcase_folder_with_devices(folder):
    """3 scenes, 4 training clips each heard through a or s1, and each training
    clip through the other device too (a copy, named alike); 3 test clips each
    through a, s1 and s2, which no training clip has. meta.csv lists file and
    scene only."""
    recordings = replace(SMALL_RECORDINGS, devices=("a", "s1"), unseen_devices=("s2",), n_test=3)
    write_audio_folder(folder, recordings)
    rows = [line.split("\t") for line in (folder / "meta.csv").read_text().splitlines()[1:]]
    sides = dict(line.split(",") for line in (folder / "split.csv").read_text().splitlines()[1:])
    meta, split = ["filename,scene_label"], ["filename,split"]
    for file, label, _, device in rows:
        meta.append(f"{file},{label}")
        split.append(f"{file},{sides[file]}")
        if sides[file] == "train":
            other = file.removesuffix(f"-{device}.wav") + ("-s1.wav" if device == "a" else "-a.wav")
            shutil.copy(folder / file, folder / other)
            meta.append(f"{other},{label}")
            split.append(f"{other},train")
    (folder / "meta.csv").write_text("".join(f"{line}\n" for line in meta))
    (folder / "split.csv").write_text("".join(f"{line}\n" for line in split))
    return folder


def test_devices_are_scored_and_tabulated_with_the_unseen_one_marked(tmp_path):
    workdir = tmp_path / "run"
    workdir.mkdir()
    folder = dcase_folder_with_devices(tmp_path / "dcase")
    snakemake(workdir, *audio_args(audio_config(tmp_path, audio_dir=str(folder))))
    summary = json.loads((workdir / "results/data/summary.json").read_text())
    assert summary["devices"]["unseen"] == ["s2"]
    assert summary["devices"]["clips"] == {"train": {"a": 12, "s1": 12}, "test": {"a": 3, "s1": 3, "s2": 3}}
    assert np.load(workdir / "results/data/devices_test.npy").tolist().count("s2") == 3
    # Without identifiers, a segment heard through a and s1 is one recording:
    # the networks' held-out split is grouped, so both copies are on one side.
    cnn = json.loads((workdir / "results/metrics/cnn.json").read_text())
    assert cnn["split"] == "grouped" and summary["groups"]["train"] == 12
    assert {name: row["unseen"] for name, row in cnn["per_device"].items()} == {
        "a": False,
        "s1": False,
        "s2": True,
    }
    labels = np.load(workdir / "results/data/labels_test.npy")
    predicted = np.load(workdir / "results/predictions/cnn.npy").argmax(axis=1)
    devices = np.load(workdir / "results/data/devices_test.npy")
    unseen = (labels == predicted)[devices == "s2"].mean()
    assert cnn["unseen_device_accuracy"] == unseen and cnn["n_unseen_device"] == 3
    rows = {row["model"]: row for row in read_table(workdir / "results/metrics/summary.tsv")}
    assert set(rows) == {"rf_10", "rf_50", "rf_100", "cnn", "lstm"}
    assert abs(rows["cnn"]["unseen_device_accuracy"] - unseen) < 1e-9
    assert abs(rows["cnn"]["device_accuracy_sd"] - cnn["device_accuracy_sd"]) < 1e-9
    report = (workdir / "reports/report.md").read_text()
    devices_section = report.split("## Recording devices\n", 1)[1].split("\n## ", 1)[0]
    assert (
        "through 3 devices" in devices_section
        and "no training clip has: s2, marked unseen" in devices_section
    )
    assert "| s2 | 3 | unseen |" in devices_section and "| a | 3 | yes |" in devices_section
    assert "Recording devices (" in report.split("## Summary", 1)[1].split("\n## ", 1)[0]
