"""The thread plan: never more running threads than CPUs, the CNN alone on a
small machine, today's parallel plan on a big one; and a real run's
timeline to show it."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from ascflow.threads import TRAIN_THREADS, ThreadPlan, local_cores, start_priority, thread_plan
from support import REPO, copy_run, last_run_spans, peak_threads, snakemake, snakemake_command, tiny_args


@pytest.mark.parametrize(
    ("cores", "cpus", "scheduled"),
    [(8, 2, 2), (8, 16, 8), (1, 16, 1), (4, 4, 4), (None, 2, None), (0, 2, 1)],
)
def test_a_local_run_schedules_no_more_cores_than_cpus(cores, cpus, scheduled):
    assert local_cores(cores, cpus) == scheduled


def test_two_cpus_the_cnn_alone_then_the_lstm_beside_the_forests():
    plan = thread_plan(2)
    assert (plan.cnn, plan.lstm, plan.forest, plan.evaluation) == (2, 1, 1, 1)
    assert plan.cnn_alone
    # The CNN's training features take every core: the barrier that lets the
    # CNN start the moment they are written.
    assert plan.features("cnn", "train") == 2
    assert plan.features("cnn", "test") == plan.features("lstm", "train") == plan.features("rf", "train") == 1
    assert [plan.training(family) for family in ("cnn", "lstm", "rf")] == [2, 1, 1]


def test_a_big_machine_keeps_the_parallel_plan():
    for cores in (2 * TRAIN_THREADS, 16, 64, None):
        plan = thread_plan(cores)
        assert plan == ThreadPlan(TRAIN_THREADS, TRAIN_THREADS, TRAIN_THREADS, TRAIN_THREADS)
        assert not plan.cnn_alone and plan.features("cnn", "train") == 1


@pytest.mark.parametrize("cores", range(1, 2 * TRAIN_THREADS + 2))
def test_no_job_asks_for_more_than_the_scheduled_cores(cores):
    plan = thread_plan(cores)
    asked = [plan.cnn, plan.lstm, plan.forest, plan.evaluation, plan.features("cnn", "train")]
    assert all(1 <= threads <= cores for threads in asked)
    # Two of the jobs that train beside each other fit the cores together.
    assert plan.lstm + plan.forest <= max(cores, 2)


def test_the_cnn_starts_first_then_the_lstm():
    assert start_priority("cnn") > start_priority("lstm") > start_priority("rf") == start_priority(None) == 0


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
