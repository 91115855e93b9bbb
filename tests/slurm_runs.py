"""Runs of the workflow for the local Slurm test cluster (the cluster itself
is conftest.py's slurm_cluster fixture): a copy of the workflow with the
tiny config, one Snakemake command line started in it, the plugin's run ID.
docs/cluster.md explains the set-up."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from support import REPO, TINY_CONFIG

PROFILE = REPO / "profiles" / "slurm-test"
#: What a run of the workflow needs from the repository.
WORKFLOW_PARTS = ("Snakefile", "workflow", "config", "environment.yml")
#: Seconds a whole run may take (a tiny run takes about 3 minutes on the
#: Slurm cluster of a 2-core machine, under a minute locally).
RUN_TIMEOUT = 900


def copy_workflow(destination: Path, config: dict | None = None) -> Path:
    """A copy of the workflow, and the tiny config (updated by `config`) in it."""
    destination.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
    for part in WORKFLOW_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, destination / part, ignore=ignore)
        elif source.exists():
            shutil.copy2(source, destination / part)
    tiny = {**yaml.safe_load(TINY_CONFIG.read_text()), **(config or {})}
    (destination / "tiny.yaml").write_text(yaml.safe_dump(tiny))
    return destination


class Run:
    """One Snakemake command line, started in `workdir` with the tiny config;
    its output goes to `workdir`/snakemake.out."""

    def __init__(self, workdir: Path, *args: str, slurm: bool = False, profile: Path = PROFILE):
        self.workdir = workdir
        self.command = [
            sys.executable,
            "-m",
            "snakemake",
            "--workflow-profile",
            "none",
            *(("--profile", str(profile)) if slurm else ()),
            "--configfile",
            "tiny.yaml",
            "--nocolor",
            # Not right after --configfile, which would take targets for config files.
            *args,
        ]
        self.out = workdir / "snakemake.out"
        self.started = time.monotonic()
        self.seconds = None  # from start to end, once it has ended and been waited for
        with open(self.out, "w") as out:
            self.process = subprocess.Popen(self.command, cwd=workdir, stdout=out, stderr=subprocess.STDOUT)

    def wait(self) -> tuple[int, str]:
        """Its exit status and output, once it has ended."""
        try:
            self.process.wait(timeout=RUN_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.kill()
            output = self.out.read_text()
            pytest.fail(f"{' '.join(self.command)} ran longer than {RUN_TIMEOUT}s:\n{output[-5000:]}")
        self.seconds = time.monotonic() - self.started
        return self.process.returncode, self.out.read_text()

    def kill(self):
        """Stop it if it still runs, with the Slurm jobs it submitted."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
            run_id = slurm_run_id(self.out.read_text(), required=False)
            if run_id:
                subprocess.run(["scancel", "--name", run_id], check=False)


def slurm_run_id(output: str, required: bool = True) -> str | None:
    """The plugin's run ID: the Slurm job name of every job of one run."""
    match = re.search(r"^SLURM run ID: (\S+)$", output, re.MULTILINE)
    if required:
        assert match, f"no 'SLURM run ID' in Snakemake's output:\n{output[-3000:]}"
    return match.group(1) if match else None
