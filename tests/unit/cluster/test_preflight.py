"""ascflow.cluster.preflight on captured `sinfo` output: the check that stops
a Slurm run whose jobs no node could run, and warns of those only a retry
could not (tests/workflow/test_slurm.py runs it on the local cluster)."""

from __future__ import annotations

import subprocess

import pytest
from ascflow.cluster import preflight
from ascflow.cluster.groups import Grouping
from ascflow.cluster.partitions import SINFO_COMMAND, parse_sinfo
from ascflow.cluster.preflight import check_on_slurm, check_requests, unrunnable
from ascflow.cluster.problems import Problem
from ascflow.cluster.requests import request_from_resources
from ascflow.errors import AscflowError


def first_and_later(rule, threads=1, attempts=3, **resources):
    """A job's request at each attempt, its memory and time growing as in the profiles."""
    return [
        request_from_resources(
            rule,
            threads,
            {key: value * attempt if isinstance(value, int) else value for key, value in resources.items()},
            attempt,
        )
        for attempt in range(1, attempts + 1)
    ]


def test_jobs_that_fit_pass(two_cpu_sinfo):
    requests = first_and_later("train_network", 2, mem_mb=4000, runtime=240)
    assert check_requests(requests, parse_sinfo(two_cpu_sinfo)) is None


def test_the_issues_jobs_on_2_cpu_nodes_stop_the_run_in_one_sentence(two_cpu_sinfo):
    requests = [
        request_from_resources("train_network", 8, {"runtime": 240}),
        request_from_resources("train_network", 8, {"runtime": 240}),
        request_from_resources("evaluate_model", 4, {"runtime": 20}),
        request_from_resources("validate_data", 1, {"runtime": 10}),
    ]
    with pytest.raises(AscflowError) as error:
        check_requests(requests, parse_sinfo(two_cpu_sinfo))
    assert str(error.value) == (
        "rule evaluate_model asks 4 CPUs per task and rule train_network 8, but no node of partition "
        "debug has more than 2: lower their threads in the profile's set-threads, or pass --max-threads 2."
    )


def test_memory_time_gpus_and_partitions_beyond_the_cluster_are_named(larger_sinfo):
    partitions = parse_sinfo(larger_sinfo)
    cases = {
        "rule big asks 300000 MB of memory, but no node of partition standard has more than 256000: "
        "lower its mem_mb in the profile's set-resources.": {"mem_mb": 300000},
        "rule slow asks 60 minutes, but partition short allows at most 30: "
        "lower its runtime in the profile's set-resources.": {"runtime": 60, "slurm_partition": "short"},
        "rule net asks 1 GPU, but no node of partition standard has one: "
        "give it a partition with GPUs (slurm_partition in the profile's set-resources).": {"gpu": 1},
        "rule net asks 8 GPUs, but no node of partition gpu has more than 4: "
        "give it a partition with GPUs (slurm_partition in the profile's set-resources).": {
            "gpu": 8,
            "slurm_partition": "gpu",
        },
        "rule net asks 64 CPUs, but no node of partition gpu has more than 32: "
        "lower its cpus_per_gpu in the profile's set-resources.": {
            "gpu": 2,
            "cpus_per_gpu": 32,
            "slurm_partition": "gpu",
        },
        "rule net asks for a GPU of model h100, but partition gpu has only a100, v100: "
        "set its gpu_model to one of those.": {"gpu": 1, "gpu_model": "h100", "slurm_partition": "gpu"},
        "rule job asks for partition compute, which this cluster does not have (sinfo lists gpu, long, "
        "shared, short, standard): set slurm_partition in the profile to one of those, or delete it for the "
        "cluster's default.": {"slurm_partition": "compute"},
    }
    for sentence, resources in cases.items():
        rule = sentence.split()[1]
        with pytest.raises(AscflowError) as error:
            check_requests([request_from_resources(rule, 1, resources)], partitions)
        assert str(error.value) == sentence


FEATURES = Grouping(groups={"make_features": "features"}, components={"features": 6}, cores=8)


def features(count=6, mem_mb=1000, attempts=1):
    return [
        request_from_resources("make_features", 1, {"mem_mb": mem_mb * attempt, "runtime": 10}, attempt)
        for attempt in range(1, attempts + 1)
        for _ in range(count)
    ]


def test_the_issues_group_on_2_cpu_nodes_stops_the_run_naming_it_and_the_fix(two_cpu_sinfo):
    """Six one-thread feature jobs in one submission under cores: 8 ask for
    6 CPUs, which Slurm would keep pending for ever (PartitionConfig)."""
    with pytest.raises(AscflowError) as error:
        check_requests(features(), parse_sinfo(two_cpu_sinfo), FEATURES)
    assert str(error.value) == (
        "group features (6 make_features jobs) would ask Slurm for 6 CPUs and 6000 MB, but the largest "
        "node of partition debug has 2 CPUs: pass --cores 2 (or set cores: 2 in the profile), so that "
        "its jobs run side by side on at most 2 CPUs, or set group-components: features: 2 in the profile."
    )
    # Each job alone fits: grouped, it is judged by its group's submission.
    assert check_requests(features(), parse_sinfo(two_cpu_sinfo)) is None
    # With --cores 2 the group runs its jobs two by two, and fits.
    assert check_requests(features(), parse_sinfo(two_cpu_sinfo), FEATURES.with_cores(2)) is None


def test_a_groups_memory_and_time_are_named_with_what_makes_it_fit():
    partitions = parse_sinfo("small*|8|4000|30|(null)|UNLIMITED\n")
    with pytest.raises(AscflowError) as error:
        check_requests(features(mem_mb=1500), partitions, FEATURES.with_cores(None))
    assert str(error.value) == (
        "group features (6 make_features jobs) would ask Slurm for 6 CPUs and 9000 MB, but the largest "
        "node of partition small has 4000 MB: pass --cores 2 (or set cores: 2 in the profile), so that "
        "its jobs run side by side on at most 2 CPUs, or set group-components: features: 2 in the profile."
    )
    # One job at a time: 60 minutes on a 30-minute partition; fewer jobs a submission fit.
    with pytest.raises(AscflowError) as error:
        check_requests(features(), partitions, FEATURES.with_cores(1))
    assert str(error.value) == (
        "group features (6 make_features jobs) would ask Slurm for 1 CPU, 1000 MB and 60 minutes, but "
        "partition small allows at most 30 minutes: set group-components: features: 3 in the profile."
    )


def test_a_group_only_a_retry_makes_too_large_is_a_warning():
    partitions = parse_sinfo("debug*|8|10000|infinite|(null)|UNLIMITED\n")
    warning = check_requests(features(attempts=2), partitions, FEATURES)
    assert warning.startswith(
        "if retried, group features (6 make_features jobs) would ask Slurm on attempt 2 for 6 CPUs "
        "and 12000 MB, but the largest node of partition debug has 10000 MB: pass --cores 5"
    )


def test_a_grouped_job_is_judged_alone_for_its_partition(two_cpu_sinfo):
    requests = [request_from_resources("make_features", 1, {"slurm_partition": "gpu"})]
    with pytest.raises(AscflowError, match="^rule make_features asks for partition gpu, which this"):
        check_requests(requests, parse_sinfo(two_cpu_sinfo), FEATURES)


def test_a_request_only_a_retry_exceeds_is_a_warning():
    """240 minutes fit an 8-hour partition; the third attempt's 720 do not."""
    partitions = parse_sinfo("short*|8|32000|8:00:00|(null)|UNLIMITED\n")
    warning = check_requests(first_and_later("train_network", 8, runtime=240), partitions)
    assert warning == (
        "if retried, rule train_network asks 720 minutes on attempt 3, but partition short allows at "
        "most 480: lower its runtime in the profile's set-resources."
    )


def test_each_rule_and_kind_is_named_once_at_its_earliest_attempt_and_largest_request(two_cpu_sinfo):
    requests = first_and_later("train_network", 4, attempts=2) + [
        request_from_resources("train_network", 8, {}),
        request_from_resources("train_network", 16, {}, attempt=2),
    ]
    problems = unrunnable(requests, parse_sinfo(two_cpu_sinfo))
    assert problems == [Problem("train_network", "threads", 8, 2, "debug")]


def test_without_a_known_default_partition_a_job_without_one_is_not_judged():
    partitions = parse_sinfo("a|2|1000|infinite|(null)|UNLIMITED\n")
    assert check_requests([request_from_resources("r", 8, {})], partitions) is None


def test_a_job_for_another_cluster_is_not_judged(two_cpu_sinfo):
    request = request_from_resources("r", 8, {"slurm_cluster": "other", "slurm_partition": "big"})
    assert check_requests([request], parse_sinfo(two_cpu_sinfo)) is None


def test_check_on_slurm_reads_the_partitions_that_sinfo_lists(monkeypatch, two_cpu_sinfo):
    def sinfo(command, **options):
        assert command == SINFO_COMMAND
        return subprocess.CompletedProcess(command, 0, stdout=two_cpu_sinfo, stderr="")

    monkeypatch.setattr(subprocess, "run", sinfo)
    assert check_on_slurm([request_from_resources("r", 2, {})]) is None
    with pytest.raises(AscflowError, match="rule r asks 8 CPUs per task"):
        check_on_slurm([request_from_resources("r", 8, {})])


def test_without_sinfo_the_requests_are_said_to_be_unchecked(monkeypatch):
    monkeypatch.setattr(preflight, "SINFO_COMMAND", ("/nonexistent/sinfo",))
    note = check_on_slurm([request_from_resources("r", 8, {})])
    assert note.startswith("the jobs' requests are not checked against the partitions: ")
