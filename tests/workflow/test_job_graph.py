"""The job graph is said once: Snakemake derives it from the rules, and the
plan lists it for the Slurm check and the report's time table
(ascflow.plan.graph). A dry run of each kind of run must plan exactly the
plan's jobs, rule by rule and wildcard by wildcard."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml
from ascflow.configuration import load_config
from ascflow.plan import Machine, Plan
from support import REPO, TINY_AUDIO, TINY_CONFIG, paramspace_labels, recordings, snakemake

#: A job's heading in a dry run, and the wildcards line of its block.
HEADING = re.compile(r"^(?:local)?(?:rule|checkpoint) (\w+):$")
WILDCARDS = re.compile(r"^\s+wildcards: (.*)$")


def dry_run_jobs(output: str) -> Counter:
    """Every job a dry run plans, as (rule, wildcards) pairs; rule all left out."""
    jobs: list[list] = []
    for line in output.splitlines():
        if heading := HEADING.match(line):
            jobs.append([heading.group(1), ()])
        elif (wildcards := WILDCARDS.match(line)) and jobs:
            pairs = (pair.split("=", 1) for pair in wildcards.group(1).split(", "))
            jobs[-1][1] = tuple(sorted((name, value) for name, value in pairs))
    return Counter((rule, wildcards) for rule, wildcards in jobs if rule != "all")


def planned_jobs(config_files: list[Path], chunks: list[str] | None = None) -> Counter:
    config = load_config([REPO / "config" / "config.yaml", *config_files])
    plan = Plan(config, Machine(cores=2, cpus=2), variant_labels=paramspace_labels)
    return Counter((job.rule, tuple(sorted(job.wildcards.items()))) for job in plan.graph.jobs(chunks))


def overrides(tmp_path: Path, **sections) -> Path:
    path = tmp_path / "overrides.yaml"
    path.write_text(yaml.safe_dump(sections))
    return path


def compare(workdir: Path, config_files: list[Path], chunks: list[str] | None = None, done=()) -> None:
    """A dry run plans the plan's jobs but those ``done`` already."""
    result = snakemake(workdir, "-n", "--cores", "2", "--configfile", *map(str, config_files))
    assert dry_run_jobs(result.stdout) == planned_jobs(config_files, chunks) - Counter(done)


@pytest.mark.parametrize(
    "sections",
    [
        pytest.param({}, id="default"),
        pytest.param(
            {"cv": {"folds": 2}, "refit": True, "sweep": {"cnn": {"learning_rate": [0.001, 0.01]}}},
            id="cv-sweep-refit",
        ),
        pytest.param(
            {"seeds": [0, 1], "sweep": {"rf": {"max_features": ["sqrt", 0.5]}}}, id="seeds-forest-sweep"
        ),
        pytest.param(
            {"data_fractions": [0.5, 1.0], "refit": True, "sweep": {"lstm": {"units": [4, 8]}}},
            id="learning-curve",
        ),
        pytest.param(
            {
                "cv": {"folds": 2, "choose_epochs_on": "auto"},
                "refit": True,
                "sweep": {"cnn": {"learning_rate": [0.001, 0.01]}},
            },
            id="epochs-chosen-on-folds",
        ),
    ],
)
def test_a_dry_run_plans_the_plans_jobs(tmp_path, sections):
    compare(tmp_path, [TINY_CONFIG, overrides(tmp_path, **sections)])


def test_a_dry_run_of_recordings_plans_the_plans_jobs_chunk_by_chunk(tmp_path):
    """Once list_audio has listed the recordings, the chunks are known to both."""
    folder = recordings(tmp_path / "recordings")
    config_files = [TINY_CONFIG, overrides(tmp_path, audio_dir=str(folder), audio=TINY_AUDIO)]
    workdir = tmp_path / "run"
    workdir.mkdir()
    snakemake(workdir, "list_audio", "--cores", "1", "--configfile", *map(str, config_files))
    chunks = json.loads((workdir / "results/audio/manifest.json").read_text())["chunks"]
    assert len(chunks) > 1
    compare(workdir, config_files, chunks, done=[("list_audio", ())])
