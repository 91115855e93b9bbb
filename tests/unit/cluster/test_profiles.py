"""The shipped profiles and ascflow.cluster.profiles, without Snakemake:
every profile folder is tested, the GPU profile is the Slurm profile plus its
GPU entries, and the Slurm resources the workflow knows are those the
executor plugin reads; what Snakemake would ignore in a profile
(check_profile_entries: a set-threads or set-resources entry for no rule, a
resource nothing reads, a word given as a count) is named. Dry runs of the
workflow with each profile are tests/workflow/test_profile_dry_runs.py.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from ascflow.cluster.profiles import SLURM_RESOURCES, ProfileEntries, check_profile_entries
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


# ---- ascflow.cluster.profiles: the profile's names ---------------------------------


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


# ---- ascflow.cluster.profiles: the entries, as written -------------------------


def snakemake_settings(**resources) -> SimpleNamespace:
    """A stand-in for Snakemake's resource settings, whose parsed values keep
    the text they were read from in ``raw``."""
    written = {name: SimpleNamespace(raw=value) for name, value in resources.items()}
    return SimpleNamespace(
        overwrite_threads={"train_network": 4},
        overwrite_resources={"train_network": written},
        default_resources=None,
        max_threads=8,
        resources={"load": 2},
    )


def test_profile_entries_keep_snakemakes_settings_as_written():
    entries = ProfileEntries.from_settings(snakemake_settings(mem_mb="2000 * attempt", gpu=1))
    assert entries == ProfileEntries(
        set_threads={"train_network": 4},
        set_resources={"train_network": {"mem_mb": "2000 * attempt", "gpu": 1}},
        default_resources={},
        max_threads=8,
        limited=("load",),
    )


def test_profile_entries_are_checked_with_what_resources_limits():
    ProfileEntries.from_settings(snakemake_settings(load=1)).check(["train_network"])
    with pytest.raises(AscflowError, match="set-resources of rule train_network sets resource lod"):
        ProfileEntries.from_settings(snakemake_settings(lod=1)).check(["train_network"])
