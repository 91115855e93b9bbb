"""GPUs and TensorBoard through Snakemake's command line: the `gpu` resource
the network jobs declare (dry runs), the default profile's
one-GPU-job-at-a-time limit, and TensorBoard logs from a real tiny run. The
device choice itself (CI has no GPU) is tests/unit/models/test_device.py."""

from __future__ import annotations

import re

import pytest
import yaml
from ascflow.models.device import driver_gpus, gpu_request
from support import REPO, copy_run, planned_jobs, read_metrics, snakemake, tiny_args


def gpu_resources(output: str) -> dict[str, set[int]]:
    """Per rule, the `gpu` resource values its planned jobs declare (0: none)."""
    found: dict[str, set[int]] = {}
    for block in re.split(r"\n(?=rule |localrule )", output):
        rule = re.match(r"(?:local)?rule (\w+):", block)
        resources = re.search(r"resources: (.*)", block)
        if rule and resources:
            gpu = re.search(r"\bgpu=(\d+)", resources[1])
            found.setdefault(rule[1], set()).add(int(gpu[1]) if gpu else 0)
    return found


@pytest.mark.parametrize(
    ("setting", "network_request"),
    [("true", 1), ("false", 0), ("auto", gpu_request("auto", driver_gpus()))],
)
def test_network_jobs_declare_the_gpu_resource(tmp_path, setting, network_request):
    output = snakemake(tmp_path, "-n", *tiny_args("--config", f"gpu={setting}")).stdout
    resources = gpu_resources(output)
    assert resources["train_network"] == {network_request}
    # Evaluation: the networks like their training, the forests never.
    assert resources["evaluate_model"] == {network_request, 0}
    assert resources["train_forest"] == {0} and resources["validate_data"] == {0}


def test_default_profile_lets_one_gpu_job_run_at_a_time(tmp_path):
    profile = yaml.safe_load((REPO / "profiles/default/config.yaml").read_text())
    assert profile["resources"]["gpu"] == 1
    # Its other global limit is the CPU share (ascflow.plan.Plan.cpu_share), no GPU.
    assert set(profile["resources"]) == {"gpu", "cpu_share"}
    # The profile parses, as every run reads it.
    result = snakemake(tmp_path, "-n", "--workflow-profile", str(REPO / "profiles/default"), *tiny_args())
    assert planned_jobs(result.stdout)["train_network"] == 2


def test_tiny_run_records_the_device(tiny_run):
    metrics = read_metrics(tiny_run)
    assert {metrics[name]["device"] for name in metrics} == {"CPU"}
    assert "| device |" in (tiny_run / "reports/report.md").read_text()


def test_tensorboard_logs_the_networks_training(tiny_run, tmp_path):
    workdir = copy_run(tiny_run, tmp_path / "run")
    args = tiny_args("--config", "tensorboard=true")
    # Turning it on re-trains the networks (their logs are written while
    # they train), nothing upstream.
    planned = planned_jobs(snakemake(workdir, "-n", *args).stdout)
    assert planned["train_network"] == 2 and "train_forest" not in planned and "make_features" not in planned
    snakemake(workdir, "results/models/cnn.keras", *args)
    events = list((workdir / "results/tensorboard/cnn").rglob("events.out.tfevents.*"))
    assert events and all(path.stat().st_size > 0 for path in events)
