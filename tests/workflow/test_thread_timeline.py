"""The thread plan in real runs, from Snakemake's log: the tiny run never ran
more threads than CPUs, and `--cores 8` on one usable CPU plans and runs
one thread at a time. The plan itself is tests/unit/test_threads.py."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from support import REPO, copy_run, last_run_spans, peak_threads, snakemake, snakemake_command, tiny_args


def test_a_finished_run_never_ran_more_threads_than_cpus(tiny_run):
    """The tiny run asked for --cores 2; its log's timeline, job by job."""
    spans = last_run_spans(tiny_run)
    assert {rule for rule, *_ in spans} >= {"train_network", "train_forest", "render_report"}
    assert peak_threads(spans) <= min(2, len(os.sched_getaffinity(0)))


@pytest.mark.skipif(shutil.which("taskset") is None, reason="needs taskset (util-linux)")
def test_eight_cores_on_one_cpu_plan_one_thread_a_job(tiny_run, tmp_path):
    """`--cores 8` with one usable CPU: Snakemake is told of one core, and
    every job of the plan asks for one thread."""
    workdir = copy_run(tiny_run, tmp_path / "run")
    args = [*tiny_args("--forcerun", "train_network", "make_features", "-n")]
    args[args.index("--cores") + 1] = "8"
    command = ["taskset", "-c", "0", *snakemake_command(workdir, *args)]
    result = subprocess.run(command, cwd=workdir, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "ascflow: --cores 8, but this run may use 1 CPU: at most 1 threads" in result.stderr
    assert "\n    threads: " not in result.stdout  # Snakemake prints a job's threads above one
    if len(os.sched_getaffinity(0)) >= 2:  # on every CPU here, the CNN asks for more
        assert "\n    threads: 2" in snakemake(workdir, *args).stdout


@pytest.mark.skipif(shutil.which("taskset") is None, reason="needs taskset (util-linux)")
def test_eight_cores_on_one_cpu_run_one_thread_at_a_time(tmp_path):
    """The README's `--cores 8` with profiles/default, on one usable CPU: the
    jobs' CPU shares, which the profile limits, keep one thread running at
    a time, though Snakemake is told of eight cores."""
    args = [*tiny_args(), "--workflow-profile", str(REPO / "profiles" / "default")]
    args[args.index("--cores") + 1] = "8"
    targets = ["results/models/rf_10.joblib", "results/models/rf_50.joblib", "results/features/flat/test.npy"]
    command = ["taskset", "-c", "0", *snakemake_command(tmp_path, *targets, *args)]  # the last profile counts
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    spans = last_run_spans(tmp_path)
    assert sum(rule in ("train_forest", "make_features") for rule, *_ in spans) >= 4
    assert peak_threads(spans) == 1
