"""The audio rules through Snakemake's command line: a tiny end-to-end run
from generated recordings, a re-run that re-extracts only what changed, a
killed extraction that resumes, and bad audio or audio settings that stop
the run in one sentence. The extraction itself, without Snakemake, is
tests/unit/stages/test_audio.py."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
import yaml
from support import (
    TINY_AUDIO,
    TINY_CONFIG,
    audio_args,
    audio_config,
    one_sentence,
    planned_jobs,
    recordings,
    snakemake,
    snakemake_command,
    write_wav,
)

EXTRACTED = "results/audio/extraction.json"


def planned(result: subprocess.CompletedProcess) -> dict[str, int]:
    """The jobs a dry run plans; none when it says there is nothing to do."""
    return planned_jobs(result.stdout) if "Job stats:" in result.stdout else {}


def chunk_times(workdir: Path) -> dict[str, int]:
    if not (workdir / "results/audio/chunks").is_dir():
        return {}
    chunks = (workdir / "results/audio/chunks").glob("[!.]*.npz")  # not a killed writer's partial file
    return {path.name: path.stat().st_mtime_ns for path in chunks}


def test_end_to_end_from_generated_recordings(tmp_path):
    """The workflow writes the example recordings (stereo, so mixed down),
    extracts, trains and reports; a second run has no audio job to do."""
    workdir = tmp_path / "run"
    workdir.mkdir()
    example = {
        "write": True,
        "n_classes": 4,
        "n_train": 8,
        "n_test": 4,
        "seconds": 1,
        "sample_rate": 8000,
        "channels": 2,
    }
    config = audio_config(
        tmp_path,
        audio_dir="resources/example-audio",
        example_audio=example,
        audio=TINY_AUDIO | {"chunk_files": 16},
    )
    snakemake(workdir, *audio_args(config))
    summary = json.loads((workdir / "results/data/summary.json").read_text())
    assert summary["source"] == "audio" and (summary["n_features"], summary["n_frames"]) == (12, 51)
    assert summary["audio"]["files"] == {"train": 32, "test": 16} and summary["audio"]["mixed_down"] == 48
    assert summary["audio"]["groups_from"] == "identifier" and summary["groups"]["shared"] == 0
    assert summary["class_names"] == ["beach", "bus", "cafe/restaurant", "car"]
    report = (workdir / "reports/report.md").read_text()
    assert "extracted with librosa from the recordings in resources/example-audio" in report
    assert "48 mixed down to mono" in report and "| extract_audio_chunk | 0002 |" in report
    again = planned(snakemake(workdir, "-n", *audio_args(config)))
    assert not {"generate_example_audio", "list_audio", "extract_audio_chunk", "gather_audio_features"} & set(
        again
    )


def test_changed_recording_or_setting_reextracts_only_what_changed(tmp_path):
    folder = recordings(tmp_path / "rec")
    workdir = tmp_path / "run"
    workdir.mkdir()
    config = audio_config(tmp_path, audio_dir=str(folder))
    snakemake(workdir, EXTRACTED, *audio_args(config))
    before = chunk_times(workdir)
    assert len(before) == 5

    # One recording replaced by another's sound, its old mtime kept (cp -p).
    target = folder / "audio/bus_00_1.wav"
    stat = target.stat()
    shutil.copyfile(folder / "audio/beach_00_0.wav", target)
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    plan = planned(snakemake(workdir, "-n", EXTRACTED, *audio_args(config)))
    assert plan == {"extract_audio_chunk": 1, "gather_audio_features": 1}

    # Another setting re-extracts every chunk.
    other = audio_config(tmp_path, "other.yaml", audio_dir=str(folder), audio=TINY_AUDIO | {"n_mels": 10})
    plan = planned(snakemake(workdir, "-n", EXTRACTED, *audio_args(other)))
    assert plan == {"extract_audio_chunk": 5, "gather_audio_features": 1}

    # A recording meta.csv does not list: listed again and named, nothing re-extracted.
    shutil.copyfile(folder / "audio/bus_00_0.wav", folder / "audio/stray.wav")
    snakemake(workdir, EXTRACTED, *audio_args(config))
    after = chunk_times(workdir)
    changed = {name for name in before if after[name] != before[name]}
    assert changed == {"0001.npz"}  # bus_00_1.wav's chunk, and only it
    facts = json.loads((workdir / EXTRACTED).read_text())
    assert facts["unlisted"] == ["audio/stray.wav"] and "audio/stray.wav" in facts["warnings"][0]


def test_killed_extraction_resumes_with_the_missing_chunks(tmp_path):
    folder = recordings(tmp_path / "rec")
    workdir = tmp_path / "run"
    workdir.mkdir()
    config = audio_config(tmp_path, audio_dir=str(folder), audio=TINY_AUDIO | {"chunk_files": 3})
    command = snakemake_command(
        workdir, EXTRACTED, "--configfile", str(TINY_CONFIG), str(config), "--cores", "1"
    )
    process = subprocess.Popen(
        command, cwd=workdir, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 240
    while len(chunk_times(workdir)) < 2:
        assert time.monotonic() < deadline and process.poll() is None, "the extraction did not get going"
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)  # Snakemake and its job, no chance to clean up
    process.wait(timeout=60)
    killed_at = time.time_ns()
    before = chunk_times(workdir)
    assert 2 <= len(before) < 6 and not (workdir / EXTRACTED).exists()

    snakemake(workdir, "--unlock", *audio_args(config))  # the lock a killed Snakemake leaves
    snakemake(workdir, EXTRACTED, *audio_args(config))
    after = chunk_times(workdir)
    assert len(after) == 6 and all(after[name] == time_ns for name, time_ns in before.items())
    assert not list((workdir / "results/audio/chunks").glob(".partial-*")), (
        "the killed job's partial file stayed"
    )
    logs = (workdir / "logs/extract_audio_chunk").glob("*.log")
    rerun = {path.stem for path in logs if path.stat().st_mtime_ns > killed_at}
    assert rerun == {Path(name).stem for name in after if name not in before}


def break_recording(folder: Path, case: str) -> str:
    """Make one bad-audio case in a generated folder; return the sentence's pattern."""
    meta = folder / "meta.csv"
    rows = meta.read_text().splitlines()
    victim = rows[3].split("\t")[0]
    path = folder / victim
    if case == "unreadable":
        path.write_bytes(b"RIFF not really a wave file" * 10)
        return f"{re.escape(str(path))}: cannot be read as audio \\(.+\\)\\."
    if case == "empty":
        path.write_bytes(b"")
        return f"{re.escape(str(path))}: is empty \\(0 bytes\\)\\."
    if case == "not-finite":
        write_wav(path, np.r_[np.zeros(800), np.nan, np.zeros(7199)], 8000, "FLOAT")
        return f"{re.escape(str(path))}: 1 samples are NaN or infinite \\(first at 0\\.100 s\\)\\."
    if case == "listed-but-absent":
        path.unlink()
        return f"{re.escape(str(path))}: listed in meta\\.csv but not found\\."
    # label missing
    name, _, identifier = rows[3].split("\t")
    rows[3] = f"{name}\t\t{identifier}"
    meta.write_text("\n".join(rows) + "\n")
    return f"{re.escape(str(meta))} line 4: {re.escape(victim)} has no scene label\\."


@pytest.mark.parametrize("case", ["unreadable", "empty", "not-finite", "listed-but-absent", "label-missing"])
def test_bad_audio_stops_the_run_in_one_sentence(tmp_path, case):
    folder = recordings(tmp_path / "rec")
    pattern = break_recording(folder, case)
    workdir = tmp_path / "run"
    workdir.mkdir()
    config = audio_config(tmp_path, audio_dir=str(folder))
    result = snakemake(workdir, "results/data/summary.json", *audio_args(config), check=False)
    assert re.fullmatch(f"ascflow: {pattern}", one_sentence(result))
    # Nothing downstream ran on a partial gather.
    assert not (workdir / "results/audio/data").exists() and not (workdir / "results/data").exists()


def test_unlisted_and_silent_recordings_warn_in_the_summary_or_stop(tmp_path):
    folder = recordings(tmp_path / "rec")
    silent = [row.split("\t")[0] for row in (folder / "meta.csv").read_text().splitlines()[1:]][5]
    write_wav(folder / silent, np.zeros(8000), 8000)
    write_wav(folder / "audio/stray.wav", np.full(8000, 0.1), 8000)
    workdir = tmp_path / "run"
    workdir.mkdir()
    config = audio_config(tmp_path, audio_dir=str(folder))
    snakemake(workdir, "results/data/summary.json", *audio_args(config))
    summary = json.loads((workdir / "results/data/summary.json").read_text())
    assert summary["audio"]["unlisted"] == ["audio/stray.wav"] and summary["audio"]["silent"] == [silent]
    assert any("audio/stray.wav" in warning for warning in summary["warnings"])
    assert f"1 clips are wholly silent: {silent}" in summary["warnings"]

    strict = audio_config(tmp_path, "strict.yaml", audio_dir=str(folder), audio_checks="error")
    result = snakemake(workdir, "results/data/summary.json", *audio_args(strict), check=False)
    assert re.fullmatch(
        r"ascflow: \S+/audio: 1 recordings are not listed in meta\.csv \(audio/stray\.wav\); .*",
        one_sentence(result),
    )
    (folder / "audio/stray.wav").unlink()
    result = snakemake(workdir, "results/data/summary.json", *audio_args(strict), check=False)
    assert re.fullmatch(
        f"ascflow: {re.escape(str(folder / silent))}: is wholly silent .*", one_sentence(result)
    )


CONFIG_ERRORS = {
    "both-folders": (
        {"data_dir": "somewhere", "audio_dir": "elsewhere"},
        r"config keys data_dir and audio_dir are both set; set one of them .*",
    ),
    "example-elsewhere": (
        {"audio_dir": "mine", "example_audio": {"write": True}},
        r"config key example_audio\.write: writes the example recordings into resources/example-audio .*",
    ),
    "no-meta": ({"audio_dir": "."}, r"audio_dir \.: has no meta\.csv .*"),
    "bad-setting": (
        {"audio_dir": ".", "audio": TINY_AUDIO | {"fmax": 9000}},
        r"config key audio\.fmax: 9000 Hz .*",
    ),
}


@pytest.mark.parametrize(("sections", "message"), CONFIG_ERRORS.values(), ids=CONFIG_ERRORS)
def test_audio_config_problems_stop_before_any_job(tmp_path, sections, message):
    config = tmp_path / "audio.yaml"
    config.write_text(yaml.safe_dump(sections))
    result = snakemake(tmp_path, "-n", "--configfile", str(TINY_CONFIG), str(config), check=False)
    assert re.fullmatch(f"ascflow: {message}", one_sentence(result))
