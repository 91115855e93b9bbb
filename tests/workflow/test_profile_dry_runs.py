"""Every shipped profile is read by Snakemake and the Slurm executor plugin.

A dry run with each profile (the Slurm ones through the plugin: Snakemake
builds and validates the plugin's settings from the profile even when it
only plans) must plan the workflow; a copy of a profile with one key
misspelt or one value mistyped must fail, naming it. Snakemake itself
rejects unknown options and values of the wrong type; the workflow adds
what Snakemake would ignore (ascflow.cluster.check_profile_entries, unit
tested in tests/unit/test_profiles.py): a set-threads or set-resources entry
for no rule, a resource nothing reads, a word given as a count.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from support import PROFILES, SHIPPED, TINY_CONFIG, planned_jobs, snakemake

# ---- a dry run with every shipped profile ------------------------------------

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
        "\nset-resources:\n",
        "\nset-threads:\n  train_netwrk: 8\nset-resources:\n",
        "ascflow: set-threads names rule train_netwrk, which this workflow does not have; "
        "did you mean train_network?",
    ),
    "threads as a word": (
        "slurm",
        "\nset-resources:\n",
        "\nset-threads:\n  train_network: eight\nset-resources:\n",
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
