"""Helpers the tests share: the repository and its profiles, Snakemake
through its command line, a run's metrics and its timeline, small recordings
and folders of tables, small data folders, and the set-up files' package
names. The report's fake results are in fake_results.py, tiny model bundles
in tiny_bundles.py, the Slurm runs in slurm_runs.py. (Fixtures are in
conftest.py, which pytest loads itself and which is not imported.)"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
import soundfile
import yaml
from ascflow import AscflowError
from ascflow.data.audio import audio_settings
from ascflow.data.audio_folder import list_recordings
from ascflow.data.synthetic_audio import SyntheticRecordings, write_audio_folder
from ascflow.data.validation import validate_dataset
from ascflow.stages.audio import ChunkFile, ExtractChunk, ExtractionSettings, Recordings, extract_chunk

REPO = Path(__file__).resolve().parent.parent
SNAKEFILE = REPO / "Snakefile"
TINY_CONFIG = REPO / "tests" / "config" / "tiny.yaml"
#: The shipped profiles.
PROFILES = REPO / "profiles"
#: Every shipped profile and how Snakemake is given it: profiles/default is
#: the workflow profile, applied to every run; the others are chosen.
SHIPPED = {
    "default": "--workflow-profile",
    "slurm": "--profile",
    "slurm-test": "--profile",
    "slurm-gpu": "--profile",
}
#: Small settings for the audio tests: 1-second clips at 8 kHz give
#: 12 bands x 51 frames, enough for the tiny CNN's two convolutions.
TINY_AUDIO = {
    "sample_rate": 8000,
    "window_s": 0.04,
    "hop_s": 0.02,
    "n_fft": 512,
    "n_mels": 12,
    "fmin": 0,
    "fmax": 4000,
    "clip_s": 1,
    "chunk_files": 4,
}
#: TINY_AUDIO as the package reads it.
TINY_SETTINGS = audio_settings(TINY_AUDIO)


def paramspace_labels(frame) -> list[str]:
    """A sweep's variant names as the workflow gives them (common.smk):
    Snakemake's Paramspace file-name pattern."""
    from snakemake.utils import Paramspace

    return list(Paramspace(frame, filename_params="*", param_sep="-").instance_patterns)


def snakemake_command(workdir: str | Path, *args: str) -> list[str]:
    """The command line that runs this checkout's workflow in ``workdir``.

    Through the command line, not the Python API, which changes between
    releases; ``--workflow-profile none`` keeps profiles/default out. Put
    targets before ``--config`` and ``--configfile``: each takes every
    argument that follows it.
    """
    return [
        sys.executable,
        "-m",
        "snakemake",
        "--snakefile",
        str(SNAKEFILE),
        "--directory",
        str(workdir),
        "--workflow-profile",
        "none",
        *args,
    ]


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


#: The networks' training batches augmented (config ``augment``, the issue's values).
AUGMENT = {
    "mixup_alpha": 0.3,
    "freq_mixstyle": {"p": 0.7, "alpha": 0.3},
    "spec_augment": {"freq_masks": 2, "time_masks": 2, "max_width": 8},
    "device_filter_p": 0.5,
}
#: With a learning curve over half and all of the training clips, one forest.
CURVE = {"data_fractions": [0.5, 1.0], "rf": {"n_estimators": [10]}}


#: Two grouped folds; the refit's epochs chosen on them where the held-out part is small.
CROSS_VALIDATED = tiny_args("--config", "cv={folds: 2, choose_epochs_on: auto}", "refit=true")


def variant_config(tmp_path: Path, **sections) -> Path:
    """The tiny config with some sections updated, as a new file."""
    config = yaml.safe_load(TINY_CONFIG.read_text())
    for key, value in sections.items():
        config[key] = config.get(key, {}) | value if isinstance(value, dict) else value
    path = tmp_path / "variant.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


# ---- a finished run's timeline, from Snakemake's own log -----------------------

_STAMP = re.compile(r"^\[(\w{3} \w{3} +\d+ \d\d:\d\d:\d\d \d{4})\]$")
_RULE = re.compile(r"^(?:local)?(?:rule|checkpoint) (\w+):$")


def job_spans(log: Path) -> list[tuple[str, int, datetime, datetime | None]]:
    """Each job of a run's log (the target rule left out): rule, threads,
    start and end, to the second Snakemake stamps its log with."""
    jobs: dict[str, list] = {}
    stamp = current = None
    for line in log.read_text().splitlines():
        if match := _STAMP.match(line):
            stamp, current = datetime.strptime(" ".join(match[1].split()), "%a %b %d %H:%M:%S %Y"), None
        elif match := _RULE.match(line):
            current = [match[1], 1, stamp, None]
        elif current is not None and line.startswith("    jobid: "):
            jobs[line.split(": ", 1)[1]] = current
        elif current is not None and line.startswith("    threads: "):
            current[1] = int(line.split(": ", 1)[1])
        elif line.startswith("Finished jobid: ") and line.split()[2] in jobs:
            jobs[line.split()[2]][3] = stamp
    return [tuple(job) for job in jobs.values() if job[0] != "all"]


def last_run_spans(workdir: Path) -> list[tuple[str, int, datetime, datetime | None]]:
    """The jobs of the newest Snakemake run in ``workdir`` that ran any."""
    for log in sorted((workdir / ".snakemake" / "log").glob("*.snakemake.log"), reverse=True):
        if spans := job_spans(log):
            return spans
    raise FileNotFoundError(f"no Snakemake log with jobs in {workdir}")


def peak_threads(spans) -> int:
    """The most threads that ran at once (a job ending in the second another
    starts counts as ended)."""
    changes = [(start, 1, threads) for _, threads, start, _ in spans]
    changes += [(end, 0, -threads) for _, threads, _, end in spans if end]
    running = peak = 0
    for _, _, change in sorted(changes):
        running += change
        peak = max(peak, running)
    return peak


# ---- recordings --------------------------------------------------------------------


#: 3 scenes, 4 training and 2 test clips each, 1 s at 8 kHz: the tiny audio settings' clips.
SMALL_RECORDINGS = SyntheticRecordings(n_classes=3, n_train=4, n_test=2, seconds=1.0, sample_rate=8000)


def write_wav(path: Path, samples: np.ndarray, rate: int, subtype: str = "PCM_16") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    soundfile.write(path, samples, rate, subtype=subtype)
    return path


def recordings(folder: Path, **sizes) -> Path:
    """A small generated folder: 3 scenes, 4 training and 2 test clips each, 1 s at 8 kHz."""
    write_audio_folder(folder, replace(SMALL_RECORDINGS, **sizes))
    return folder


def extract(paths: list[str], chunk: str) -> None:
    """The extract_audio_chunk job of ``paths`` at the tiny settings."""
    extract_chunk(ExtractChunk(Recordings(paths), ChunkFile(chunk), ExtractionSettings(TINY_AUDIO)))


def audio_config(tmp_path: Path, name: str = "audio.yaml", **sections) -> Path:
    """Overrides of tiny.yaml: the tiny audio settings and ``sections``."""
    path = tmp_path / name
    path.write_text(yaml.safe_dump({"audio": TINY_AUDIO} | sections))
    return path


def audio_args(config: Path, *extra: str) -> list[str]:
    return ["--configfile", str(TINY_CONFIG), str(config), "--cores", "2", *extra]


def dcase_folder(folder: Path, n_train: int = 4, **edits) -> Path:
    """Generated recordings (3 scenes, ``n_train`` training and 2 test each)
    with DCASE's fold lists, which carry scene labels, instead of split.csv;
    ``edits`` replace lines of the lists (by name: {line number: text})."""
    write_audio_folder(folder, replace(SMALL_RECORDINGS, n_train=n_train))
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


def write_lines(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{line}\n" for line in lines))


#: The scene and split of each of the six recordings of :func:`folder_with_tables`.
TABLE_SCENES = ["bus", "park", "bus", "park", "bus", "park"]
TABLE_SIDES = ["train", "train", "train", "train", "test", "test"]


def folder_with_tables(folder: Path, meta: list[str], split: list[str] | None = None, folds=None) -> Path:
    """A folder of six silent-enough recordings (``audio/r0.wav``...) with
    the given tables: ``meta.csv``, ``split.csv`` and the fold lists, by name."""
    for index in range(6):
        write_wav(folder / "audio" / f"r{index}.wav", np.full(800, 0.1 * (index + 1)), 8000)
    write_lines(folder / "meta.csv", meta)
    if split is not None:
        write_lines(folder / "split.csv", split)
    for name, lines in (folds or {}).items():
        write_lines(folder / "evaluation_setup" / name, lines)
    return folder


def refuses_listing(tmp_path: Path, meta: list[str], split: list[str] | None, message: str) -> None:
    """The listing of a folder with these tables stops with ``message``, a
    pattern of the whole sentence in which ``{folder}``, ``{meta}`` and
    ``{split}`` stand for the folder and its tables (split.csv lists r0 to
    r2 unless ``split`` is given)."""
    folder = folder_with_tables(
        tmp_path / "rec", meta, split=split or ["r0.wav,train", "r1.wav,test", "r2.wav,test"]
    )
    pattern = message.format(
        folder=re.escape(str(folder)),
        meta=re.escape(str(folder / "meta.csv")),
        split=re.escape(str(folder / "split.csv")),
    )
    with pytest.raises(AscflowError, match=f"^{pattern}$"):
        list_recordings(folder, 4)


# ---- data folders ----------------------------------------------------------------


def write_set(folder: Path, n_train=12, n_test=6, shape=(5, 7), classes=3, seed=0, **overrides) -> Path:
    """A data folder of random features and balanced integer labels;
    ``overrides`` replace or add arrays by stem (``y_test``, ``groups_train``)."""
    rng = np.random.default_rng(seed)
    arrays = {
        "X_train": rng.normal(size=(n_train, *shape)).astype(np.float32),
        "y_train": np.arange(n_train) % classes,
        "X_test": rng.normal(size=(n_test, *shape)).astype(np.float32),
        "y_test": np.arange(n_test) % classes,
    }
    arrays.update(overrides)
    folder.mkdir(parents=True, exist_ok=True)
    for stem, array in arrays.items():
        np.save(folder / f"{stem}.npy", array)
    return folder


def rejects(folder: Path, match: str, **kwargs) -> str:
    """validate_dataset refuses ``folder`` with one sentence matching ``match``; the sentence."""
    with pytest.raises(AscflowError, match=match) as caught:
        validate_dataset(folder, **kwargs)
    message = str(caught.value)
    assert "\n" not in message and "Traceback" not in message
    return message


# ---- the set-up files' package names ---------------------------------------------

#: Same software, different names on PyPI and conda-forge.
PIP_TO_CONDA = {"tensorflow-cpu": "tensorflow", "soundfile": "pysoundfile"}


def requirement_name(requirement: str) -> str:
    """The package a pip or conda requirement names, lower case."""
    return re.split(r"[<>=!~ ;\[]", requirement, maxsplit=1)[0].strip().lower()


def normalized(name: str) -> str:
    """A distribution's name as PEP 503 compares them."""
    return re.sub(r"[-_.]+", "-", name).lower()
