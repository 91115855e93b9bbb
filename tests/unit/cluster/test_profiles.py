"""The shipped profiles and ascflow.cluster, without Snakemake: every
profile folder is tested, the GPU profile is the Slurm profile plus its GPU
entries, and the Slurm resources the workflow knows are those the executor
plugin reads; what Snakemake would ignore in a profile
(ascflow.cluster.check_profile_entries: a set-threads or set-resources entry
for no rule, a resource nothing reads, a word given as a count) is named.

Then ascflow.cluster on captured `sinfo` output: the check that stops a
Slurm run whose jobs no node could run (tests/workflow/test_slurm.py runs it
on the local cluster). Dry runs of the workflow with each profile are
tests/workflow/test_profile_dry_runs.py.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
import yaml
from ascflow.cluster.partitions import Partition, parse_gpus, parse_sinfo, parse_time_limit
from ascflow.cluster.preflight import check_requests
from ascflow.cluster.profiles import SLURM_RESOURCES, check_profile_entries
from ascflow.cluster.requests import Request, request_from_resources
from ascflow.errors import AscflowError
from support import PROFILES, SHIPPED

# ---- every shipped profile ----------------------------------------------------


def test_every_profile_folder_is_tested():
    assert sorted(path.parent.name for path in PROFILES.glob("*/config.yaml")) == sorted(SHIPPED)


def without_gpu_entries(profile: dict) -> dict:
    for rule in ("train_network", "evaluate_model"):
        for key in ("gpu", "cpus_per_gpu", "slurm_partition", "gpu_model"):
            profile["set-resources"][rule].pop(key, None)
    return profile


def test_the_gpu_profile_is_the_slurm_profile_plus_gpu_entries():
    slurm = yaml.safe_load((PROFILES / "slurm" / "config.yaml").read_text())
    gpu = yaml.safe_load((PROFILES / "slurm-gpu" / "config.yaml").read_text())
    assert without_gpu_entries(gpu) == without_gpu_entries(slurm)
    # ... and the comment above each GPU entry says so.
    lines = (PROFILES / "slurm-gpu" / "config.yaml").read_text().splitlines()
    for number, line in enumerate(lines):
        if re.match(r"\s{4}(# )?(gpu|cpus_per_gpu|gpu_model|slurm_partition): ", line):
            above = []
            while lines[number - len(above) - 1].lstrip().startswith("#"):
                above.append(lines[number - len(above) - 1])
            assert any("# GPU: " in comment for comment in above), line


def test_the_known_slurm_resources_are_those_the_plugin_reads():
    """SLURM_RESOURCES, against the installed plugin's source (job.resources.x,
    job.resources.get("x"), job.resources["x"])."""
    pytest.importorskip("snakemake_executor_plugin_slurm")
    import snakemake_executor_plugin_slurm
    import snakemake_executor_plugin_slurm_jobstep

    read = set()
    for package in (snakemake_executor_plugin_slurm, snakemake_executor_plugin_slurm_jobstep):
        for source in Path(package.__file__).parent.glob("*.py"):
            text = source.read_text()
            read |= set(re.findall(r"resources\.get\(\s*[\"'](\w+)[\"']", text))
            read |= set(re.findall(r"resources\[[\"'](\w+)[\"']\]", text))
            read |= set(re.findall(r"resources\.(\w+)\b(?!\()", text))
    assert read - {"get", "items", "keys"} == SLURM_RESOURCES


# ---- ascflow.cluster, on captured sinfo output ----------------------------------

#: `sinfo --noheader --all --exact --format '%P|%c|%m|%l|%G'` on the local
#: test cluster (a 2-CPU machine) ...
TEST_CLUSTER = "debug*|2|24105|infinite|(null)\n"
#: ... and on a larger one: two node sizes in the default partition, two GPU
#: types, a short partition, minimums marked "+".
LARGER_CLUSTER = """\
standard*|48|191000|2-00:00:00|(null)
standard*|64|256000|2-00:00:00|(null)
gpu|32|512000|1-00:00:00|gpu:a100:4(S:0-1)
gpu|32|512000|1-00:00:00|gpu:v100:2
short|8|32000|30:00|(null)
long|16+|64000+|7-00:00:00|(null)
"""


def test_parse_sinfo_keeps_the_largest_node_and_the_default():
    partitions = parse_sinfo(LARGER_CLUSTER)
    assert partitions["standard"] == Partition("standard", 64, 256000, 2880, 0, frozenset(), default=True)
    assert partitions["gpu"] == Partition("gpu", 32, 512000, 1440, 4, frozenset({"a100", "v100"}))
    assert (partitions["short"].cpus, partitions["short"].minutes) == (8, 30)
    assert (partitions["long"].cpus, partitions["long"].mem_mb) == (16, 64000)
    assert parse_sinfo(TEST_CLUSTER) == {"debug": Partition("debug", 2, 24105, math.inf, default=True)}


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("infinite", math.inf),
        ("UNLIMITED", math.inf),
        ("45", 45),
        ("30:00", 30),
        ("8:00:00", 480),
        ("2-00:00:00", 2880),
        ("1-00:30:00", 1470),
        ("2-12", 3600),
    ],
)
def test_parse_time_limit(text, minutes):
    assert parse_time_limit(text) == minutes


def test_parse_gpus():
    assert parse_gpus("(null)") == (0, frozenset())
    assert parse_gpus("gpu:2") == (2, frozenset())
    assert parse_gpus("gpu:a100:4(S:0-1),gpu:v100:2,mps:100") == (6, frozenset({"a100", "v100"}))


def test_a_request_is_read_as_the_plugin_reads_it():
    assert request_from_resources("r", 8, {"mem_mb": 4000, "runtime": 60}) == Request("r", None, 8, 4000, 60)
    # cpus_per_task wins over threads; mem_mb_per_cpu counts per CPU.
    assert request_from_resources("r", 8, {"cpus_per_task": 2, "mem_mb_per_cpu": 1000}).cpus == 2
    assert request_from_resources("r", 8, {"cpus_per_task": 2, "mem_mb_per_cpu": 1000}).mem_mb == 2000
    # A GPU job's CPUs: cpus_per_gpu per GPU; a CPU job ignores cpus_per_gpu.
    gpu_job = request_from_resources("r", 8, {"gpu": 2, "cpus_per_gpu": 4, "slurm_partition": "gpu"})
    assert (gpu_job.cpus, gpu_job.cpus_from, gpu_job.gpus, gpu_job.partition) == (8, "cpus_per_gpu", 2, "gpu")
    assert request_from_resources("r", 8, {"gpu": 0, "cpus_per_gpu": 4}).cpus == 8
    assert request_from_resources("r", 1, {"gres": "gpu:a100:1"}).gpu_model == "a100"
    assert request_from_resources("r", 1, {"gpu_model": "a100"}).gpus == 1
    # Not known before the inputs exist (Snakemake's "<TBD>").
    assert request_from_resources("r", 1, {"mem_mb": "<TBD>", "slurm_partition": ""}).mem_mb is None


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


def test_jobs_that_fit_pass():
    requests = first_and_later("train_network", 2, mem_mb=4000, runtime=240)
    assert check_requests(requests, parse_sinfo(TEST_CLUSTER)) is None


def test_the_issues_jobs_on_2_cpu_nodes_stop_the_run_in_one_sentence():
    requests = [
        request_from_resources("train_network", 8, {"runtime": 240}),
        request_from_resources("train_network", 8, {"runtime": 240}),
        request_from_resources("evaluate_model", 4, {"runtime": 20}),
        request_from_resources("validate_data", 1, {"runtime": 10}),
    ]
    with pytest.raises(AscflowError) as error:
        check_requests(requests, parse_sinfo(TEST_CLUSTER))
    assert str(error.value) == (
        "rule evaluate_model asks 4 CPUs per task and rule train_network 8, but no node of partition "
        "debug has more than 2: lower their threads in the profile's set-threads, or pass --max-threads 2."
    )


def test_memory_time_gpus_and_partitions_beyond_the_cluster_are_named():
    partitions = parse_sinfo(LARGER_CLUSTER)
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
        "short, standard): set slurm_partition in the profile to one of those, or delete it for the "
        "cluster's default.": {"slurm_partition": "compute"},
    }
    for sentence, resources in cases.items():
        rule = sentence.split()[1]
        with pytest.raises(AscflowError) as error:
            check_requests([request_from_resources(rule, 1, resources)], partitions)
        assert str(error.value) == sentence


def test_a_request_only_a_retry_exceeds_is_a_warning():
    """240 minutes fit an 8-hour partition; the third attempt's 720 do not."""
    partitions = parse_sinfo("short*|8|32000|8:00:00|(null)\n")
    warning = check_requests(first_and_later("train_network", 8, runtime=240), partitions)
    assert warning == (
        "if retried, rule train_network asks 720 minutes on attempt 3, but partition short allows at "
        "most 480: lower its runtime in the profile's set-resources."
    )


def test_without_a_known_default_partition_a_job_without_one_is_not_judged():
    partitions = parse_sinfo("a|2|1000|infinite|(null)\n")
    assert check_requests([request_from_resources("r", 8, {})], partitions) is None


def test_a_job_for_another_cluster_is_not_judged():
    request = request_from_resources("r", 8, {"slurm_cluster": "other", "slurm_partition": "big"})
    assert check_requests([request], parse_sinfo(TEST_CLUSTER)) is None


# ---- ascflow.cluster: the profile's names ----------------------------------------


def test_profile_entries_that_name_rules_and_known_resources_pass():
    check_profile_entries(
        rules=["train_network", "evaluate_model"],
        set_threads=["train_network"],
        set_resources={"evaluate_model": {"mem_mb": "2000 * attempt", "gpu": 1, "cpus_per_gpu": 4}},
        default_resources={"slurm_partition": "'debug'", "runtime": 30, "load": 1},
        limited=["load"],
    )


@pytest.mark.parametrize(
    ("entries", "sentence"),
    [
        (
            {"set_threads": ["train_netwrk"]},
            "set-threads names rule train_netwrk, which this workflow does not have; "
            "did you mean train_network?",
        ),
        (
            {"default_resources": {"slurm_partiton": "debug"}},
            "default-resources sets resource slurm_partiton, which neither Snakemake nor its Slurm executor "
            "reads; did you mean slurm_partition?",
        ),
        (
            {"set_resources": {"train_network": {"gpu": "one"}}},
            "set-resources of rule train_network gives gpu the word one, where it needs a whole number.",
        ),
    ],
)
def test_profile_entries_that_snakemake_would_ignore_are_named(entries, sentence):
    arguments = {"rules": ["train_network"], "set_threads": [], "set_resources": {}, "default_resources": {}}
    with pytest.raises(AscflowError) as error:
        check_profile_entries(**(arguments | entries))
    assert str(error.value) == sentence
