"""Recordings through Snakemake's command line: tables that contradict each
other stop the run at the listing, what validation finds in the gathered
arrays names the recordings and table rows (never the arrays), and truncated
or short recordings are padded and said, or stop the run."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
import soundfile
from ascflow.report.markdown import render
from ascflow.report.sections.data import data_blocks
from support import TINY_AUDIO, audio_args, audio_config, dcase_folder, meta_line, one_sentence, snakemake

SUMMARY = "results/data/summary.json"

#: Lines of the fold lists replaced, scene labels meta.csv gives instead of
#: its own, and the sentence (with meta.csv's line of the file named).
CONTRADICTIONS = {
    "fold-label-against-meta": (
        {"fold1_train.txt": {3: "audio/beach_00_2.wav\tbus"}},
        {},
        "evaluation_setup/fold1_train.txt line 3: audio/beach_00_2.wav has scene label 'bus', "
        "but meta.csv line {line} gives it 'beach'.",
    ),
    "listed-twice-with-two-labels": (
        {"fold1_evaluate.txt": {2: "audio/beach_01_0.wav\tbus"}},
        {},
        "evaluation_setup/fold1_evaluate.txt line 2: audio/beach_01_0.wav is listed twice with different "
        "scene labels: 'bus' here and 'beach' on line 1.",
    ),
    "scene-only-in-the-evaluation-list": (
        {"fold1_evaluate.txt": {2: "audio/beach_01_1.wav\textra"}},
        {"audio/beach_01_1.wav": "extra"},  # the tables agree: the scene is the test split's alone
        "evaluation_setup/fold1_evaluate.txt line 2: audio/beach_01_1.wav is a test recording of scene "
        "'extra' (meta.csv line {line}), which no training recording has; every scene needs training "
        "recordings.",
    ),
}


@pytest.mark.parametrize(("edits", "relabel", "sentence"), CONTRADICTIONS.values(), ids=CONTRADICTIONS)
def test_tables_that_disagree_stop_the_run(tmp_path, edits, relabel, sentence):
    folder = dcase_folder(tmp_path / "rec", **edits)
    meta = folder / "meta.csv"
    for file, label in relabel.items():
        meta.write_text(
            re.sub(f"^{re.escape(file)}\t[^\t]+", f"{file}\t{label}", meta.read_text(), flags=re.M)
        )
    file = re.search(r"audio/\S+\.wav", sentence)[0]
    workdir = tmp_path / "run"
    workdir.mkdir()
    result = snakemake(
        workdir, SUMMARY, *audio_args(audio_config(tmp_path, audio_dir=str(folder))), check=False
    )
    expected = f"ascflow: {folder}/" + sentence.format(line=meta_line(folder, file))
    assert one_sentence(result) == expected
    assert not (workdir / "results/audio/chunks").exists()  # stopped at the listing


def test_validation_names_the_recordings_not_the_gathered_arrays(tmp_path):
    """A scene with one training recording passes the listing; validation
    finds it too rare for the stratified split, in the gathered arrays."""
    folder = dcase_folder(tmp_path / "rec", n_train=1)
    workdir = tmp_path / "run"
    workdir.mkdir()
    result = snakemake(
        workdir, SUMMARY, *audio_args(audio_config(tmp_path, audio_dir=str(folder))), check=False
    )
    line = meta_line(folder, "audio/beach_00_0.wav")
    assert one_sentence(result) == (
        f"ascflow: the scene labels meta.csv gives the training recordings in {folder}: class beach has 1 "
        f"training clip(s) (recording audio/beach_00_0.wav (meta.csv line {line}, "
        "evaluation_setup/fold1_train.txt line 1)); each class needs at least 2 for the stratified "
        "validation split."
    )
    assert (workdir / "results/audio/data/y_train.npy").is_file()  # found after the gather


def test_truncated_and_short_recordings_are_padded_and_said_or_stop(tmp_path):
    folder = dcase_folder(tmp_path / "rec")
    truncated, short = "audio/bus_00_2.wav", "audio/cafe_restaurant_01_0.wav"
    (folder / truncated).write_bytes((folder / truncated).read_bytes()[: 44 + 2 * 7440])  # 0.93 of 1 s
    soundfile.write(folder / short, np.random.default_rng(0).uniform(-0.3, 0.3, 4800), 8000, subtype="PCM_16")
    workdir = tmp_path / "run"
    workdir.mkdir()
    config = audio_config(tmp_path, audio_dir=str(folder), audio=TINY_AUDIO | {"chunk_files": 100})
    snakemake(workdir, SUMMARY, *audio_args(config))
    summary = json.loads((workdir / SUMMARY).read_text())
    assert summary["audio"]["truncated"] == [truncated]
    assert summary["audio"]["short"] == [short]  # the truncated one is not short
    assert summary["audio"]["padded"] == 2
    warnings = "; ".join(summary["warnings"])
    assert "1 recordings hold fewer samples than their header promises (truncated files)" in warnings
    assert (
        f"1 clips are shorter than 90% of audio.clip_s (0.9 of 1 s), padded with silence: {short}" in warnings
    )
    # The report's data section, from this summary (a whole run's report
    # from recordings: tests/workflow/test_audio_rules.py).
    data_section = "".join(render(block, workdir) for block in data_blocks(summary))
    assert (
        f"Padded with more silence than rounding explains: 1 recording truncated, holding fewer samples "
        f"than its header promises ({truncated}) and 1 clip shorter than 0.9 s, 90% of a clip ({short})."
    ) in data_section

    strict = audio_config(tmp_path, "strict.yaml", audio_dir=str(folder), audio_checks="error")
    result = snakemake(workdir, SUMMARY, *audio_args(strict), check=False)
    assert re.fullmatch(
        f"ascflow: {re.escape(str(folder / truncated))}: is truncated, with 0\\.93 s of the 1\\.00 s its "
        "header promises .*audio_checks: warn to pad them with silence\\.",
        one_sentence(result),
    )
