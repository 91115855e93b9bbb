"""The thread plan: never more running threads than CPUs, the CNN alone on a
small machine, today's parallel plan on a big one; and a real run's
timeline to show it."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from ascflow.threads import TRAIN_THREADS, ThreadPlan, local_cores, start_priority, thread_plan
from support import copy_run, snakemake, tiny_args

from perf.timeline import last_run_log, parse_log, peak_threads
from perf.workflow import snakemake_command


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
    jobs = parse_log(last_run_log(tiny_run))
    assert {job.rule for job in jobs} >= {"train_network", "train_forest", "render_report"}
    assert peak_threads(jobs) <= min(2, len(os.sched_getaffinity(0)))


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
