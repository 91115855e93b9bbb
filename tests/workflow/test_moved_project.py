"""A project is identified by content, not by where it lies: a finished
project folder (the workflow's code, config, data and results together, as
a user has it) moved with `mv` or copied with `cp -a` plans nothing with the
same command in its new place, yet a data file replaced in place with an
older modification time is validated again. Real Snakemake runs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml
from support import REPO, TINY_CONFIG, planned_jobs

#: The command a user runs inside the project folder, wherever it lies.
COMMAND = [sys.executable, "-m", "snakemake", "--workflow-profile", "none", "--configfile", "tiny.yaml"]


def run(project: Path, *extra: str) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [*COMMAND, "--cores", "2", *extra], cwd=project, capture_output=True, text=True, timeout=900
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def planned(project: Path, *extra: str) -> dict[str, int]:
    """The jobs a dry run plans, less the target rule `all`; none when it
    says there is nothing to do."""
    output = run(project, "-n", *extra).stdout
    if "Job stats:" not in output:
        assert "Nothing to be done" in output, output
        return {}
    return {rule: count for rule, count in planned_jobs(output).items() if rule != "all"}


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """The repository's workflow copied into a folder with a small data folder
    of its own (data/, a relative data_dir), run once on the tiny config."""
    folder = tmp_path_factory.mktemp("projects") / "project"
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
    for name in ("workflow", "config"):
        shutil.copytree(REPO / name, folder / name, ignore=ignore)
    for name in ("Snakefile", "environment.yml"):
        shutil.copy2(REPO / name, folder / name)
    rng = np.random.default_rng(3)
    (folder / "data").mkdir()
    for split, clips in (("train", 30), ("test", 12)):
        np.save(folder / f"data/X_{split}.npy", rng.normal(size=(clips, 12, 40)).astype(np.float32))
        np.save(folder / f"data/y_{split}.npy", np.arange(clips) % 3)
    config = yaml.safe_load(TINY_CONFIG.read_text()) | {"data_dir": "data"}
    (folder / "tiny.yaml").write_text(yaml.safe_dump(config))
    run(folder)
    return folder


def test_moved_or_copied_project_plans_nothing(project, tmp_path):
    moved = tmp_path / "elsewhere" / "renamed"
    moved.parent.mkdir()
    subprocess.run(["mv", str(project), str(moved)], check=True)
    try:
        assert planned(moved) == {}
        copy = tmp_path / "copy"
        subprocess.run(["cp", "-a", str(moved), str(copy)], check=True)
        assert planned(copy) == {}
        # The report again, and the ledger's record of the run (which finds it recorded).
        assert planned(copy, "--forcerun", "render_report") == {"render_report": 1, "record_run": 1}
    finally:
        subprocess.run(["mv", str(moved), str(project)], check=True)


def test_data_file_replaced_with_an_older_mtime_is_validated_again(project, tmp_path):
    copy = tmp_path / "copy"
    subprocess.run(["cp", "-a", str(project), str(copy)], check=True)
    target = copy / "data/X_test.npy"
    times = target.stat()
    np.save(target, np.load(target) + 1)
    os.utime(target, ns=(times.st_atime_ns, times.st_mtime_ns))  # as `cp -p` or a restore leaves it
    plan = planned(copy)
    assert plan["validate_data"] == 1 and plan["render_report"] == 1
