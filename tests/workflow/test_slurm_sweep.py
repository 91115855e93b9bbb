"""A sweep on the local Slurm test cluster with profiles/slurm as it ships:
short jobs of one kind go to Slurm together (its groups and
group-components), so a sweep submits far fewer jobs than it runs, and each
group's submission asks for what the pre-flight check computes for it
(ascflow.cluster.groups). Marked `slurm` as test_slurm.py beside it; both
use the cluster of conftest.py's slurm_cluster fixture, whose node is large
enough for the profile as shipped (ci/slurm/start-cluster.sh)."""

from __future__ import annotations

import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from slurm_runs import Run, copy_workflow, slurm_run_id
from support import REPO, planned_jobs

pytestmark = pytest.mark.slurm

SHIPPED = REPO / "profiles" / "slurm"
#: Only how soon the plugin first asks sacct about a job (40 s by default,
#: which would dominate a tiny run); nothing the jobs ask for.
QUICK_STATUS = ("--slurm-init-seconds-before-status-checks", "1")
SWEEP = {
    "rf": {"n_estimators": [10]},
    "sweep": {"cnn": {"learning_rate": [0.0007, 0.004]}},
    "cv": {"folds": 3},
    "refit": True,
}


def sacct_jobs(run_id: str) -> dict[str, dict[str, str]]:
    """The accounting database's jobs of one run: ID -> comment, state,
    CPUs and memory asked for."""
    since = (datetime.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    fields = ("JobIDRaw", "Comment", "State", "ReqCPUS", "ReqMem")
    listing = subprocess.run(
        ["sacct", "-X", "-P", "-n", "--starttime", since, "--name", run_id,
         f"--format={','.join(fields)}"],
        capture_output=True, text=True, timeout=60, check=True,
    ).stdout  # fmt: skip
    rows = [dict(zip(fields, line.split("|"), strict=True)) for line in listing.splitlines()]
    return {row["JobIDRaw"]: row for row in rows}


@pytest.mark.usefixtures("slurm_cluster")
def test_a_grouped_sweep_with_the_shipped_profile_submits_fewer_jobs_than_it_runs(tmp_path: Path):
    workdir = copy_workflow(tmp_path / "sweep", SWEEP)
    run = Run(workdir, *QUICK_STATUS, slurm=True, profile=SHIPPED)
    returncode, output = run.wait()
    assert returncode == 0, output[-5000:]
    assert "ascflow:" not in output, output[-5000:]
    jobs = planned_jobs(output)
    assert jobs["cross_validate"] == 12  # rf_10, two CNN variants and the LSTM, three folds each
    assert jobs["train_network"] == 3 and jobs["refit_network"] == 2
    local = ("select_variant", "summarize_metrics", "render_report", "record_run", "all")
    compute = sum(count for rule, count in jobs.items() if rule not in local)
    accounted = sacct_jobs(slurm_run_id(output))
    assert all(job["State"].split()[0] == "COMPLETED" for job in accounted.values()), accounted
    # 12 folds, 4 a submission; the 6 feature jobs in one.
    folds = [job for job in accounted.values() if job["Comment"].startswith("rule_folds_")]
    features = [job for job in accounted.values() if job["Comment"].startswith("rule_features_")]
    assert len(folds) == 3 and len(features) == 1, accounted
    assert len(accounted) == compute - 12 + 3 - 6 + 1, (len(accounted), compute)
    # What the pre-flight check computes: the 6 one-CPU feature jobs side by
    # side (cores: 8), 1000 MB each; the 8-thread folds one after another.
    assert (features[0]["ReqCPUS"], features[0]["ReqMem"]) == ("6", "6000M"), features
    assert {job["ReqCPUS"] for job in folds} == {"8"}, folds
    selection = (workdir / "results/sweep/cnn.json").read_text()
    assert '"criterion": "cv"' in selection
    for fold in range(1, 4):
        assert (workdir / f"results/cv/cnn_learning_rate-0.004/fold{fold}.json").is_file()
