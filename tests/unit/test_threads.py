"""The thread plan: never more running threads than CPUs, the CNN alone on a
small machine, today's parallel plan on a big one. A real run's timeline,
to show it, is tests/workflow/test_thread_timeline.py."""

from __future__ import annotations

import pytest
from ascflow.threads import TAIL_PRIORITY, TRAIN_THREADS, ThreadPlan, local_cores, start_priority, thread_plan


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


def test_each_priority_outweighs_every_set_of_lower_jobs_that_fits_beside_it():
    """Snakemake starts the ready jobs whose priorities sum highest: on a
    machine where the CNN takes every core (under 2 x TRAIN_THREADS), no set
    of one-thread jobs may outweigh it, nor a set of tails the LSTM."""
    most_beside = 2 * TRAIN_THREADS - 1
    assert start_priority("cnn") > most_beside * start_priority("lstm")
    assert start_priority("lstm") > most_beside * TAIL_PRIORITY > 0


@pytest.mark.parametrize(("cores", "refit_threads"), [(2, 1), (3, 2), (4, 2)])
def test_the_cnns_refit_takes_the_cores_the_lstm_leaves_where_the_cost_model_says(cores, refit_threads):
    asked = []
    beside = thread_plan(cores, lambda cores, lstm: asked.append((cores, lstm)) or True)
    assert asked == [(cores, beside.lstm)]
    assert beside.training("cnn", refit=True) == refit_threads == cores - beside.lstm
    assert (
        beside.training("cnn") == min(TRAIN_THREADS, cores)
        and beside.training("lstm", refit=True) == beside.lstm
    )
    assert thread_plan(cores, lambda cores, lstm: False).training("cnn", refit=True) == beside.training("cnn")


def test_one_core_or_a_big_machine_never_asks_the_cost_model():
    def refuse(cores, lstm):
        raise AssertionError("asked")

    assert thread_plan(1, refuse).cnn_refit == 0
    assert thread_plan(2 * TRAIN_THREADS, refuse).cnn_refit == 0
