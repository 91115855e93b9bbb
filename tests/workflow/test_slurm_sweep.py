"""A sweep on the local Slurm test cluster, with the job grouping of
profiles/slurm: short jobs of one kind go to Slurm together, so a sweep
submits far fewer jobs than it runs. Marked `slurm` as test_slurm.py beside
it; both use the cluster of conftest.py's slurm_cluster fixture."""

from __future__ import annotations

import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import yaml
from slurm_runs import Run, copy_workflow, slurm_run_id
from support import REPO, planned_jobs

pytestmark = pytest.mark.slurm

SWEEP = {
    "rf": {"n_estimators": [10]},
    "sweep": {"cnn": {"learning_rate": [0.0007, 0.004]}},
    "cv": {"folds": 3},
    "refit": True,
}


def grouping_arguments() -> list[str]:
    """profiles/slurm's job groups, as command-line options."""
    profile = yaml.safe_load((REPO / "profiles/slurm/config.yaml").read_text())
    return [
        "--groups",
        *(f"{rule}={group}" for rule, group in profile["groups"].items()),
        "--group-components",
        *(f"{group}={count}" for group, count in profile["group-components"].items()),
    ]


def sacct_comments(run_id: str) -> dict[str, tuple[str, str]]:
    since = (datetime.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    listing = subprocess.run(
        ["sacct", "-X", "-P", "-n", "--starttime", since, "--name", run_id,
         "--format=JobIDRaw,Comment,State"],
        capture_output=True, text=True, timeout=60, check=True,
    ).stdout  # fmt: skip
    return {line.split("|")[0]: tuple(line.split("|")[1:]) for line in listing.splitlines()}


@pytest.mark.usefixtures("slurm_cluster")
def test_a_grouped_sweep_submits_fewer_jobs_than_it_runs(tmp_path: Path):
    workdir = copy_workflow(tmp_path / "sweep", SWEEP)
    # The test node's 2 CPUs bound a group's width (profiles/slurm says 8).
    run = Run(workdir, *grouping_arguments(), "--cores", "2", slurm=True)
    returncode, output = run.wait()
    assert returncode == 0, output[-5000:]
    jobs = planned_jobs(output)
    assert jobs["cross_validate"] == 12  # rf_10, two CNN variants and the LSTM, three folds each
    assert jobs["train_network"] == 3 and jobs["refit_network"] == 2
    local = ("select_variant", "summarize_metrics", "render_report", "record_run", "all")
    compute = sum(count for rule, count in jobs.items() if rule not in local)
    accounted = sacct_comments(slurm_run_id(output))
    assert all(state.split()[0] == "COMPLETED" for _, state in accounted.values()), accounted
    folds = [comment for comment, _ in accounted.values() if "cross_validate" in comment]
    # 12 folds, 4 a submission; the 6 feature jobs in one.
    assert len(folds) == 3, accounted
    assert len(accounted) == compute - 12 + 3 - 6 + 1, (len(accounted), compute)
    selection = (workdir / "results/sweep/cnn.json").read_text()
    assert '"criterion": "cv"' in selection
    for fold in range(1, 4):
        assert (workdir / f"results/cv/cnn_learning_rate-0.004/fold{fold}.json").is_file()
