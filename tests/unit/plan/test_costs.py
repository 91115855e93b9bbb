"""ascflow.plan.costs: the training chains' estimated costs, and the CNN's
refit beside the LSTM where that ends a small machine's run sooner."""

from __future__ import annotations

import pytest
from ascflow.configuration import load_config, merge
from ascflow.plan import Machine, Plan
from ascflow.plan.costs import Work, makespans, refit_beside, run_work, speedup
from plans import SHIPPED, laptop
from support import paramspace_labels

NETWORKS, FORESTS = ["cnn", "lstm"], [10, 50, 100]
#: The benchmark's reference size: both networks' 50 epochs.
REFERENCE = {"cnn": {"epochs": 50}, "lstm": {"epochs": 50}}


def shipped(*overrides: dict) -> dict:
    config = load_config([SHIPPED])
    for override in overrides:
        merge(config, override)
    return config


def test_a_second_thread_speeds_the_cnn_up_but_less_than_twice():
    assert speedup(1) == 1
    assert 1 < speedup(2) < 2 and speedup(2) < speedup(4) < 4


@pytest.mark.parametrize("overrides", [(), (REFERENCE,)], ids=["default size", "reference epochs"])
def test_the_study_refits_its_cnn_beside_the_lstm_on_two_cores(overrides):
    work = run_work(shipped(*overrides), NETWORKS, FORESTS, refit=True)
    assert work.cnn_train > work.lstm / 2 > 0 and work.cnn_refit > work.cnn_train
    alone, beside = makespans(work, cores=2, lstm_threads=1)
    assert beside < alone
    assert refit_beside(work, cores=2, lstm_threads=1)


def test_more_epochs_cost_proportionally_more():
    ten, fifty = (run_work(shipped(REFERENCE if big else {}), NETWORKS, FORESTS, True) for big in (0, 1))
    assert fifty.cnn_train == pytest.approx(5 * ten.cnn_train) and fifty.lstm == pytest.approx(5 * ten.lstm)
    assert fifty.other == ten.other  # the forests' trees do not change


def test_without_work_beside_it_the_refit_takes_every_core():
    """A long CNN and little else: the refit's second thread is worth more
    than the lane it would leave to jobs that are not there."""
    work = run_work(shipped({"cnn": {"epochs": 100}, "lstm": {"epochs": 1}}), NETWORKS, [10], refit=True)
    assert not refit_beside(work, cores=2, lstm_threads=1)
    assert not refit_beside(Work(cnn_train=1.0, cnn_refit=1.0), cores=2, lstm_threads=1)


def test_no_refit_or_no_core_to_share_keeps_the_plan():
    work = run_work(shipped(), NETWORKS, FORESTS, refit=False)
    assert work.cnn_refit == 0 and not refit_beside(work, cores=2, lstm_threads=1)
    assert not refit_beside(run_work(shipped(), NETWORKS, FORESTS, refit=True), cores=1, lstm_threads=1)


def study_plan(*overrides: dict, machine: Machine) -> Plan:
    return Plan(shipped(*overrides), machine, variant_labels=paramspace_labels)


def test_the_plan_gives_the_cnns_refit_the_core_the_lstm_leaves():
    scheduling = study_plan(machine=laptop(cores=8, cpus=2)).scheduling
    assert scheduling.threads("train_network", {"model": "cnn"}) == 2
    assert scheduling.threads("refit_network", {"model": "cnn"}) == 1
    assert scheduling.threads("refit_network", {"model": "lstm"}) == 1
    # Refit off: nothing to place.
    no_refit = study_plan({"refit": False}, machine=laptop(cores=8, cpus=2)).scheduling
    assert no_refit.thread_plan.cnn_refit == 0
    # A big machine trains every network on its own cores already.
    big = study_plan(machine=laptop(cores=16, cpus=16)).scheduling
    assert big.threads("refit_network", {"model": "cnn"}) == big.threads("train_network", {"model": "cnn"})


def test_what_follows_a_networks_training_starts_before_the_forests():
    scheduling = study_plan(machine=laptop(cores=8, cpus=2)).scheduling
    lstm_training = scheduling.priority("train_network", {"model": "lstm"})
    for rule in ("evaluate_model", "export_model", "measure_deployed"):
        for network in ("cnn", "lstm"):
            tail = scheduling.priority(rule, {"model": network})
            assert lstm_training > tail > scheduling.priority("train_forest", {"model": "rf_100"}) == 0
        assert scheduling.priority(rule, {"model": "rf_100"}) == 0
    test_features = {
        layout: scheduling.priority("make_features", {"layout": layout, "split": "test"})
        for layout in ("channel", "time_major", "flat")
    }
    assert test_features == {"channel": tail, "time_major": tail, "flat": 0}
