"""ascflow.plan.needs: each job's threads, priority and resources."""

from __future__ import annotations

import pytest
from ascflow.cluster import ProfileEntries
from ascflow.plan import CPU_SHARE_WHOLE, RULES, Job, Needs
from plans import CLUSTER, laptop, plan


def test_eight_cores_on_two_cpus_the_cnn_alone_then_two_one_thread_jobs():
    the_plan = plan(machine=laptop(cores=8, cpus=2))
    scheduling = the_plan.scheduling
    assert scheduling.cores == 2
    assert scheduling.cores_note == "--cores 8, but this run may use 2 CPUs: at most 2 threads run at once."
    networks = the_plan.roster.networks
    threads = {
        model: scheduling.threads("train_network" if model in networks else "train_forest", {"model": model})
        for model in the_plan.roster.models
    }
    assert threads == {"rf_10": 1, "rf_50": 1, "rf_100": 1, "cnn": 2, "lstm": 1}
    assert scheduling.threads("evaluate_model", {"model": "cnn"}) == 1
    assert (
        scheduling.threads("make_features", {"layout": "channel", "split": "train"}) == 2
    )  # the CNN's barrier
    assert scheduling.threads("make_features", {"layout": "flat", "split": "train"}) == 1
    assert scheduling.threads("render_report") == 2 and scheduling.threads("validate_data") == 1
    assert scheduling.priority("train_network", {"model": "cnn"}) > scheduling.priority(
        "train_network", {"model": "lstm"}
    )
    assert scheduling.priority(
        "make_features", {"layout": "channel", "split": "train"}
    ) == scheduling.priority("train_network", {"model": "cnn"})
    assert scheduling.priority("make_features", {"layout": "channel", "split": "test"}) < scheduling.priority(
        "train_network", {"model": "lstm"}
    )


def test_cores_within_the_cpus_are_left_as_asked_and_need_no_share():
    scheduling = plan(machine=laptop(cores=2, cpus=16)).scheduling
    assert scheduling.cores == 2 and scheduling.cores_note is None
    assert scheduling.cpu_share(2) == 0
    big = plan(machine=laptop(cores=16, cpus=16)).scheduling
    assert (
        big.threads("train_network", {"model": "cnn"}) == 4 == big.threads("train_forest", {"model": "rf_10"})
    )


@pytest.mark.parametrize("cpus", [1, 2, 3, 4, 7, 8, 13, 16, 64, 96])
def test_the_cpu_shares_let_no_more_threads_run_than_cpus(cpus):
    """Jobs fit the global limit together exactly when their threads fit the CPUs."""
    scheduling = plan(machine=laptop(cores=4 * cpus, cpus=cpus)).scheduling
    one = scheduling.cpu_share(1)
    assert cpus * one <= CPU_SHARE_WHOLE < (cpus + 1) * one
    assert scheduling.cpu_share(cpus) <= CPU_SHARE_WHOLE
    for threads in range(1, cpus):
        rest = cpus - threads
        assert scheduling.cpu_share(threads) + rest * one <= CPU_SHARE_WHOLE
        assert scheduling.cpu_share(threads) + (rest + 1) * one > CPU_SHARE_WHOLE


def test_a_cluster_schedules_no_local_cores_and_asks_nodes_for_more():
    scheduling = plan(machine=CLUSTER).scheduling
    assert scheduling.cores is None and scheduling.cores_note is None and scheduling.cpu_share(8) == 0
    assert (
        scheduling.threads("train_network", {"model": "cnn"}) == RULES["train_network"].cluster_threads == 8
    )
    assert scheduling.threads("evaluate_model", {"model": "rf_10"}) == 4
    assert scheduling.threads("validate_data") == 1


def test_memory_and_time_grow_with_the_inputs_and_each_retry():
    scheduling = plan(machine=CLUSTER).scheduling
    assert scheduling.mem_mb("train_forest", input_mb=100) == 4000
    assert scheduling.mem_mb("train_forest", input_mb=1000) == 6000
    assert scheduling.mem_mb("train_forest", input_mb=1000, attempt=3) == 18000
    assert scheduling.mem_mb("list_audio", input_mb=10_000) == 1000
    assert scheduling.runtime("train_network", attempt=2) == 2 * RULES["train_network"].runtime


def test_gpu_requests_follow_the_setting_and_the_driver():
    assert plan(machine=laptop(gpus=1)).scheduling.gpu_request("cnn") == 1
    assert plan(machine=laptop(gpus=1)).scheduling.gpu_request("rf_10") == 0
    assert plan(machine=laptop(gpus=0)).scheduling.gpu_request("lstm") == 0
    assert plan({"gpu": False}, machine=laptop(gpus=1)).scheduling.gpu_request("cnn") == 0
    assert plan({"gpu": True}, machine=laptop(gpus=0)).scheduling.gpu_request("cnn") == 1


def test_cluster_requests_apply_the_profile_as_snakemake_does():
    the_plan = plan(machine=CLUSTER)
    entries = ProfileEntries(
        set_threads={"train_network": 16},
        set_resources={
            "train_network": {"runtime": "100 * attempt"},
            "evaluate_model": {"gpu": '0 if wildcards.model.startswith("rf_") else 1'},
            "validate_data": {"mem_mb": "max(1000, 3 * input.size_mb)"},
        },
        default_resources={"slurm_partition": "standard", "mem_mb": 123},
        max_threads=12,
    )
    requests = the_plan.cluster_requests(entries, attempts=2, chooses_partitions=False)
    by_job = {(request.rule, request.attempt): request for request in requests}
    network = by_job[("train_network", 2)]
    assert (network.cpus, network.minutes, network.partition) == (12, 200, "standard")
    assert network.mem_mb is None  # grows with the inputs, not known yet
    assert by_job[("count_parameters", 1)].mem_mb == 1000  # the rule's own, not the default's
    assert by_job[("validate_data", 1)].mem_mb is None
    gpus = {request.gpus for request in requests if request.rule == "evaluate_model"}
    assert gpus == {0, 1}
    local = {"render_report", "record_run", "summarize_metrics", "list_audio"}
    assert not local & {request.rule for request in requests}
    # Where the Slurm plugin chooses partitions, the jobs that name none are its.
    left = ProfileEntries(set_resources={"train_network": {"slurm_partition": "gpu"}})
    assert {r.rule for r in the_plan.cluster_requests(left, 1, chooses_partitions=True)} == {"train_network"}


def test_every_rule_has_its_needs():
    assert all(
        isinstance(needs, Needs) and needs.mem_mb > 0 and needs.runtime > 0 for needs in RULES.values()
    )
    assert {job.rule for job in plan({"cv": {"folds": 2}}).graph.jobs()} <= set(RULES)
    assert Job("validate_data").wildcards == {}
    assert plan().scheduling.is_local("record_run") and not plan().scheduling.is_local("train_network")
