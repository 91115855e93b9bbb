"""Helpers the tests share: the repository, Snakemake through its command
line, and reading a run's metrics. (Fixtures are in conftest.py, which pytest
loads itself and which is not imported.)"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import yaml
from ascflow.data.synthetic_audio import write_audio_folder

from perf.workflow import REPOSITORY, snakemake_command

REPO = REPOSITORY
TINY_CONFIG = REPO / "tests" / "config" / "tiny.yaml"


def snakemake(
    workdir: Path, *args: str, check: bool = True, timeout: int = 900
) -> subprocess.CompletedProcess:
    """Run the workflow with its working directory in ``workdir``."""
    command = snakemake_command(workdir, *args)
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=workdir)
    if check and result.returncode != 0:
        raise AssertionError(f"snakemake {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def one_sentence(result: subprocess.CompletedProcess) -> str:
    """The one `ascflow:` line a failed run printed, with no traceback."""
    assert result.returncode != 0, result.stdout + result.stderr
    sentences = [line for line in result.stderr.splitlines() if line.startswith("ascflow: ")]
    assert len(sentences) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return sentences[0]


def tiny_args(*extra: str) -> list[str]:
    return ["--configfile", str(TINY_CONFIG), "--cores", "2", *extra]


def copy_run(source: Path, target: Path) -> Path:
    """A copy of a finished run's folder (outputs and Snakemake's metadata)."""
    shutil.copytree(source, target, symlinks=True)
    return target


def read_metrics(workdir: Path) -> dict[str, dict]:
    return {
        path.stem: json.loads(path.read_text())
        for path in sorted((workdir / "results/metrics").glob("*.json"))
    }


def without_timings(metrics: dict) -> dict:
    """Metrics with every wall-clock figure removed (those differ run to run)."""
    return {key: value for key, value in metrics.items() if "seconds" not in key}


def planned_jobs(output: str) -> dict[str, int]:
    """The 'Job stats' table of a dry run, as {rule: count}."""
    table = output.split("Job stats:", 1)[1].split("\n\n", 1)[0]
    rows = (line.split() for line in table.splitlines()[3:])
    return {row[0]: int(row[1]) for row in rows if len(row) == 2 and row[0] != "total"}


def variant_config(tmp_path: Path, **sections) -> Path:
    """The tiny config with some sections updated, as a new file."""
    config = yaml.safe_load(TINY_CONFIG.read_text())
    for key, value in sections.items():
        config[key] = config.get(key, {}) | value if isinstance(value, dict) else value
    path = tmp_path / "variant.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def dcase_folder(folder: Path, n_train: int = 4, **edits) -> Path:
    """Generated recordings (3 scenes, ``n_train`` training and 2 test each)
    with DCASE's fold lists, which carry scene labels, instead of split.csv;
    ``edits`` replace lines of the lists (by name: {line number: text})."""
    write_audio_folder(folder, n_classes=3, n_train=n_train, n_test=2, seconds=1.0, sample_rate=8000)
    rows = [line.split("\t") for line in (folder / "meta.csv").read_text().splitlines()[1:]]
    sides = dict(line.split(",") for line in (folder / "split.csv").read_text().splitlines()[1:])
    (folder / "split.csv").unlink()
    for split, name in (("train", "fold1_train.txt"), ("test", "fold1_evaluate.txt")):
        lines = [f"{file}\t{label}" for file, label, _ in rows if sides[file] == split]
        for number, text in edits.get(name, {}).items():
            lines[number - 1] = text
        (folder / "evaluation_setup").mkdir(exist_ok=True)
        (folder / "evaluation_setup" / name).write_text("".join(f"{line}\n" for line in lines))
    return folder


def meta_line(folder: Path, file: str) -> int:
    lines = (folder / "meta.csv").read_text().splitlines()
    return next(number for number, line in enumerate(lines, start=1) if line.startswith(f"{file}\t"))
