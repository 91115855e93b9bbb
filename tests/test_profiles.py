"""Every shipped profile is read by Snakemake and the Slurm executor plugin,
and one that a cluster's nodes cannot run is caught.

A dry run with each profile (the Slurm ones through the plugin: Snakemake
builds and validates the plugin's settings from the profile even when it
only plans) must plan the workflow; a copy of a profile with one key
misspelt or one value mistyped must fail, naming it. Snakemake itself
rejects unknown options and values of the wrong type; the workflow adds
what Snakemake would ignore (ascflow.cluster.check_profile_entries): a
set-threads or set-resources entry for no rule, a resource nothing reads, a
word given as a count.

Then unit tests of ascflow.cluster on captured `sinfo` output: the check
that stops a Slurm run whose jobs no node could run (tests/test_slurm.py
runs it on the local cluster).
"""

from __future__ import annotations

import math
import re
import shutil
from pathlib import Path

import pytest
import yaml
from ascflow.cluster import (
    SLURM_RESOURCES,
    Partition,
    Request,
    check_profile_entries,
    check_requests,
    parse_gpus,
    parse_sinfo,
    parse_time_limit,
    request_from_resources,
)
from ascflow.errors import AscflowError
from support import REPO, TINY_CONFIG, planned_jobs, snakemake

PROFILES = REPO / "profiles"
#: Every shipped profile and how Snakemake is given it: profiles/default is
#: the workflow profile, applied to every run; the others are chosen.
SHIPPED = {
    "default": "--workflow-profile",
    "slurm": "--profile",
    "slurm-test": "--profile",
    "slurm-gpu": "--profile",
}
#: Commented-out entries a user is told to enable (partition, account, GPU type).
ENABLE = re.compile(r"^(\s*)# (slurm_partition|slurm_account|gpu_model): ", re.MULTILINE)


def dry_run(tmp_path: Path, profile: Path, option: str = "--profile"):
    """A dry run of the tiny config with `profile` only (no workflow profile
    unless `profile` is one)."""
    args = ("-n", option, str(profile), "--configfile", str(TINY_CONFIG))
    result = snakemake(tmp_path, *args, check=False, timeout=300)
    return result.returncode, result.stdout + result.stderr


def profile_copy(tmp_path: Path, name: str, old: str = "", new: str = "") -> Path:
    """A copy of a shipped profile, with `old` (which must be there) replaced by `new`."""
    folder = tmp_path / f"{name}-copy"
    shutil.copytree(PROFILES / name, folder)
    config = folder / "config.yaml"
    text = config.read_text()
    assert old in text, f"{old!r} is not in profiles/{name}/config.yaml"
    config.write_text(text.replace(old, new, 1))
    return folder


def planned(output: str, rule: str, field: str = "resources") -> list[str]:
    """A field (resources, wildcards) of each job of `rule` in a dry run's output."""
    blocks = re.findall(rf"^rule {rule}:\n(.*?)(?=^\S)", output, re.MULTILINE | re.DOTALL)
    return [re.search(rf"^\s+{field}: (.*)$", block, re.MULTILINE)[1] for block in blocks]


# ---- every shipped profile ----------------------------------------------------


def test_every_profile_folder_is_tested():
    assert sorted(path.parent.name for path in PROFILES.glob("*/config.yaml")) == sorted(SHIPPED)


@pytest.fixture(scope="module")
def dry_runs(tmp_path_factory) -> dict[str, tuple[int, str]]:
    """A dry run with each shipped profile: name -> (exit status, output)."""
    return {name: dry_run(tmp_path_factory.mktemp(name), PROFILES / name, SHIPPED[name]) for name in SHIPPED}


def planned_run(dry_runs, name: str) -> str:
    returncode, output = dry_runs[name]
    assert returncode == 0, output[-3000:]
    return output


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_a_dry_run_with_each_profile_plans_the_workflow(dry_runs, name):
    output = planned_run(dry_runs, name)
    kind = "workflow specific profile" if name == "default" else "profile"
    assert f"Using {kind} {PROFILES / name} for setting default command line arguments" in output
    assert planned_jobs(output)["train_network"] == 2, output[-3000:]


@pytest.mark.parametrize("name", ["slurm", "slurm-gpu"])
def test_the_entries_a_user_enables_are_read_too(tmp_path, name):
    """The commented partition, account and GPU type lines, once uncommented."""
    folder = profile_copy(tmp_path, name)
    config = folder / "config.yaml"
    text, enabled = ENABLE.subn(r"\1\2: ", config.read_text())
    assert enabled >= 2
    config.write_text(text)
    returncode, output = dry_run(tmp_path, folder)
    assert returncode == 0, output[-3000:]
    assert "slurm_account=my_project" in planned(output, "validate_data")[0]


def test_the_slurm_profile_uses_the_clusters_default_partition_and_no_gpu(dry_runs):
    output = planned_run(dry_runs, "slurm")
    assert "slurm_partition" not in output
    for rule in ("train_network", "evaluate_model"):
        assert all("gpu=0" in line for line in planned(output, rule))


def test_the_gpu_profile_gives_the_networks_alone_a_gpu(dry_runs):
    output = planned_run(dry_runs, "slurm-gpu")
    assert all("gpu=1, cpus_per_gpu=8" in line for line in planned(output, "train_network"))
    evaluations = zip(
        planned(output, "evaluate_model", "wildcards"), planned(output, "evaluate_model"), strict=True
    )
    gpus = {model: re.search(r"gpu=(\d)", resources)[1] for model, resources in evaluations}
    assert gpus == {
        "model=cnn": "1",
        "model=lstm": "1",
        "model=rf_10": "0",
        "model=rf_50": "0",
        "model=rf_100": "0",
    }


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


# ---- a misspelt key or a mistyped value fails -----------------------------------

BROKEN = {
    "a misspelt option": (
        "slurm",
        "latency-wait: 60",
        "latency-wiat: 60",
        "unrecognized arguments: --latency-wiat",
    ),
    "a number as a word": ("slurm", "jobs: 50", "jobs: fifty", "--jobs"),
    "a flag neither true nor false": (
        "slurm",
        "keep-going: true",
        "keep-going: maybe",
        "keep-going: 'maybe'",
    ),
    "a misspelt plugin option": (
        "slurm-test",
        "slurm-keep-successful-logs: true",
        "slurm-keep-sucessful-logs: true",
        "unrecognized arguments: --slurm-keep-sucessful-logs",
    ),
    "a plugin option's number as a word": (
        "slurm-test",
        "slurm-init-seconds-before-status-checks: 1",
        "slurm-init-seconds-before-status-checks: soon",
        "invalid int value: 'soon'",
    ),
    "a plugin option's unknown value": (
        "slurm-test",
        "slurm-status-command: sacct",
        "slurm-status-command: sact",
        "Invalid status command",
    ),
    "set-threads for a misspelt rule": (
        "slurm",
        "set-resources:\n",
        "set-threads:\n  train_netwrk: 8\nset-resources:\n",
        "ascflow: set-threads names rule train_netwrk, which this workflow does not have; "
        "did you mean train_network?",
    ),
    "threads as a word": (
        "slurm",
        "set-resources:\n",
        "set-threads:\n  train_network: eight\nset-resources:\n",
        "eight",
    ),
    "set-resources for a misspelt rule": (
        "slurm",
        "  evaluate_model:\n",
        "  evaluate_modle:\n",
        "ascflow: set-resources names rule evaluate_modle",
    ),
    "a misspelt resource": (
        "slurm",
        "  runtime: 30",
        "  runtme: 30",
        "ascflow: default-resources sets resource runtme, which neither Snakemake nor its Slurm executor "
        "reads; did you mean runtime?",
    ),
    "memory that is no size": ("slurm", "  mem_mb: 2000", '  mem_mb: "2000 megs"', "2000 megs"),
    "a GPU count as a word": (
        "slurm-gpu",
        "    gpu: 1",
        "    gpu: one",
        "ascflow: set-resources of rule train_network gives gpu the word one, where it needs a whole number.",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_misspelt_key_or_a_mistyped_value_fails_the_dry_run(tmp_path, case):
    name, old, new, message = BROKEN[case]
    returncode, output = dry_run(tmp_path, profile_copy(tmp_path, name, old, new))
    assert returncode != 0, f"{case} passed:\n{output[-3000:]}"
    assert message in output, output[-3000:]


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
