"""The workflow on a real Slurm cluster: a one-node cluster on this machine.

The slurm_cluster fixture (conftest.py) starts the cluster with
ci/slurm/start-cluster.sh (Debian, as root: it installs Slurm, munge and
MariaDB and starts their daemons) and stops it when the session ends with
ci/slurm/stop-cluster.sh. Elsewhere the tests are skipped, unless the
environment variable CI is set: there a missing cluster is a failure, not a
skip.

Every run uses the tiny config, in a copy of the workflow under a temporary
folder, and profiles/slurm-test or profiles/slurm with an entry or two
changed. docs/cluster.md explains the set-up.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from ascflow.plan import RULES
from slurm_runs import PROFILE, Run, copy_workflow, slurm_run_id
from support import REPO

pytestmark = pytest.mark.slurm

GPU_PROFILE = REPO / "profiles" / "slurm-gpu"
SHIPPED_PROFILE = REPO / "profiles" / "slurm"
#: The seconds within which a held job must end its run: Snakemake's start,
#: the first submission and two squeue listings 15 s apart, with room.
HELD_WITHIN = 120


def snakemake_jobs(output: str) -> dict[int, tuple[str, bool]]:
    """Snakemake's jobs as printed in its log: jobid -> (rule, is_local).

    Snakemake announces each job with "rule NAME:" (or "localrule NAME:" for
    a job it runs itself), then "jobid: N" among the job's properties.
    """
    jobs: dict[int, tuple[str, bool]] = {}
    current = None
    for line in output.splitlines():
        header = re.match(r"^(local)?rule (\w+):$", line)
        if header:
            current = (header.group(2), header.group(1) is not None)
            continue
        jobid = re.match(r"^\s+jobid: (\d+)$", line)
        if jobid and current:
            jobs[int(jobid.group(1))] = current
            current = None
    return jobs


def slurm_submissions(output: str) -> dict[int, str]:
    """Snakemake jobid -> Slurm job ID, from the plugin's log lines."""
    submitted = re.findall(r"^Job (\d+) has been submitted with SLURM jobid (\d+) ", output, re.M)
    return {int(job): slurm_id for job, slurm_id in submitted}


def sacct_jobs(run_id: str) -> dict[str, tuple[str, str]]:
    """The accounting database's jobs of one run: Slurm ID -> (rule, state).

    The plugin names every job of a run after the run ID and comments it
    "rule_<rule>" or "rule_<rule>_wildcards_<values>".
    """
    since = (datetime.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    result = subprocess.run(
        ["sacct", "-X", "-P", "-n", "--starttime", since, "--name", run_id,
         "--format=JobIDRaw,Comment,State"],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    jobs = {}
    for line in result.stdout.splitlines():
        slurm_id, comment, state = line.split("|")
        rule = re.fullmatch(r"rule_(\w+?)(?:_wildcards_.*)?", comment)
        assert rule, f"Slurm job {slurm_id} has no rule in its comment: {comment!r}"
        jobs[slurm_id] = (rule.group(1), state.split()[0])
    return jobs


def comparable(value):
    """A JSON value without its timing fields (keys containing 'seconds')."""
    if isinstance(value, dict):
        return {key: comparable(item) for key, item in value.items() if "seconds" not in key}
    if isinstance(value, list):
        return [comparable(item) for item in value]
    return value


def results_to_compare(workdir: Path) -> list[Path]:
    """Every model's metrics if the workflow makes any, else the data summary."""
    metrics = sorted(workdir.glob("results/metrics/*.json"))
    return metrics or [workdir / "results/data/summary.json"]


def broken_data(folder: Path) -> Path:
    """A data folder of readable .npy files (so the run starts) whose
    training clips hold a NaN: validate_data fails, on the cluster."""
    import numpy as np

    folder.mkdir()
    clips = np.zeros((12, 12, 40), dtype=np.float32)
    clips[3, 0, 0] = np.nan
    arrays = {
        "X_train": clips,
        "y_train": np.arange(12) % 3,
        "X_test": clips[:6] * 0,
        "y_test": np.arange(6) % 3,
    }
    for stem, array in arrays.items():
        np.save(folder / f"{stem}.npy", array)
    return folder


def node_cpus() -> int:
    """The CPUs of the test cluster's node."""
    listing = subprocess.run(
        ["sinfo", "-h", "-p", "debug", "-o", "%c"], capture_output=True, text=True, check=True
    )
    return int(listing.stdout.split()[0].rstrip("+"))


def oversized_profile(folder: Path) -> Path:
    """profiles/slurm-test without its max-threads cap, and with one CPU more
    for train_network than the node has."""
    folder.mkdir()
    lines = (PROFILE / "config.yaml").read_text().splitlines()
    lines = [line for line in lines if not line.startswith("max-threads:")]
    lines += ["set-threads:", f"  train_network: {node_cpus() + 1}"]
    (folder / "config.yaml").write_text("\n".join(lines) + "\n")
    return folder


def changed_profile(folder: Path, profile: Path, *lines: str, **default_resources: str) -> Path:
    """A copy of ``profile`` with ``lines`` added at its end and entries
    added under its default-resources."""
    folder.mkdir()
    text = (profile / "config.yaml").read_text()
    for name, value in default_resources.items():
        text = text.replace("\ndefault-resources:\n", f"\ndefault-resources:\n  {name}: {value!r}\n", 1)
    (folder / "config.yaml").write_text(text + "\n".join(lines) + "\n")
    return folder


@pytest.fixture(scope="module")
def runs(slurm_cluster, tmp_path_factory):
    """Every Snakemake run of this module, all started at once (the Slurm runs
    mostly wait for status checks): name -> (workdir, exit status, output,
    seconds from start to end).

    "oversized": the whole workflow on the cluster with a profile asking more
    CPUs than the node has; "gpu": with profiles/slurm-gpu as it ships, on a
    cluster without GPUs; "small_nodes": issue 29's run, profiles/slurm on a
    partition of 2-CPU nodes with --max-threads 2 (these three stop at once,
    and are waited for first, so that their seconds are their own); "held":
    the first job, generate_default_data, sent to a partition that never
    starts a job (waited for next); "slurm": the whole tiny workflow on the
    cluster; "local": the same run without Slurm; "failing": validate_data
    on the cluster, on broken data.
    """
    failing_config = {"data_dir": str(broken_data(tmp_path_factory.mktemp("data") / "broken"))}
    profiles = tmp_path_factory.mktemp("profiles")
    oversized = oversized_profile(profiles / "oversized")
    small_nodes = changed_profile(profiles / "small_nodes", SHIPPED_PROFILE, slurm_partition="small")
    held = changed_profile(
        profiles / "held",
        PROFILE,
        "set-resources:",
        "  generate_default_data:",
        '    slurm_partition: "held"',
    )
    started = {
        "oversized": Run(
            copy_workflow(tmp_path_factory.mktemp("oversized_run")), slurm=True, profile=oversized
        ),
        "gpu": Run(copy_workflow(tmp_path_factory.mktemp("gpu_run")), slurm=True, profile=GPU_PROFILE),
        "small_nodes": Run(
            copy_workflow(tmp_path_factory.mktemp("small_nodes_run")),
            "--max-threads",
            "2",
            slurm=True,
            profile=small_nodes,
        ),
        "held": Run(copy_workflow(tmp_path_factory.mktemp("held_run")), slurm=True, profile=held),
        "slurm": Run(copy_workflow(tmp_path_factory.mktemp("slurm_run")), slurm=True),
        "local": Run(copy_workflow(tmp_path_factory.mktemp("local_run")), "--cores", "2"),
        "failing": Run(
            copy_workflow(tmp_path_factory.mktemp("failing_run"), failing_config), "validate_data", slurm=True
        ),
    }
    try:
        ended = {name: run.wait() for name, run in started.items()}
    finally:
        for run in started.values():
            run.kill()
    return {
        name: (started[name].workdir, returncode, output, started[name].seconds)
        for name, (returncode, output) in ended.items()
    }


def succeeded(run: tuple[Path, int, str, float]) -> tuple[Path, str]:
    workdir, returncode, output, _ = run
    assert returncode == 0, f"the run in {workdir} failed:\n{output[-5000:]}"
    return workdir, output


def test_every_compute_job_ran_as_a_completed_slurm_job(runs):
    _, output = succeeded(runs["slurm"])
    jobs = snakemake_jobs(output)
    compute = {jobid: rule for jobid, (rule, local) in jobs.items() if not local}
    local = {jobid for jobid, (_, is_local) in jobs.items() if is_local}
    assert compute, f"Snakemake ran no compute job:\n{output[-3000:]}"
    # The jobs kept on the submit host are those the needs table marks local.
    kept_local = {rule for rule, needs in RULES.items() if needs.local} | {"all"}
    assert {jobs[jobid][0] for jobid in local} <= kept_local
    assert not set(compute.values()) & kept_local

    submitted = slurm_submissions(output)
    assert set(submitted) == set(compute), (
        "compute jobs and Slurm submissions differ: "
        f"not submitted {sorted(set(compute) - set(submitted))}, "
        f"local but submitted {sorted(set(submitted) & local)}"
    )

    accounted = sacct_jobs(slurm_run_id(output))
    for jobid, slurm_id in submitted.items():
        assert slurm_id in accounted, f"sacct does not know Slurm job {slurm_id} ({compute[jobid]})"
        rule, state = accounted[slurm_id]
        assert rule == compute[jobid], f"Slurm job {slurm_id} ran {rule}, not {compute[jobid]}"
        assert state == "COMPLETED", f"Slurm job {slurm_id} ({rule}) ended {state}"
    # ... and the run sent nothing else to Slurm.
    assert Counter(rule for rule, _ in accounted.values()) == Counter(compute.values())


def test_outputs_equal_those_of_a_local_run(runs):
    (slurm_dir, _), (local_dir, _) = succeeded(runs["slurm"]), succeeded(runs["local"])
    compared = [path.relative_to(local_dir) for path in results_to_compare(local_dir)]
    assert compared == [path.relative_to(slurm_dir) for path in results_to_compare(slurm_dir)]
    for relative in compared:
        on_slurm = comparable(json.loads((slurm_dir / relative).read_text()))
        locally = comparable(json.loads((local_dir / relative).read_text()))
        assert on_slurm == locally, f"{relative} differs between the Slurm and the local run"


def test_a_failing_job_fails_the_run_and_names_its_logs(runs):
    workdir, returncode, output, _ = runs["failing"]

    assert returncode != 0, f"the run succeeded on broken data:\n{output[-3000:]}"
    # The error names the rule's log, which says what is wrong, and the job's Slurm log.
    assert "logs/validate_data.log" in output, output[-3000:]
    assert "X_train.npy" in (workdir / "logs" / "validate_data.log").read_text()
    assert ".snakemake/slurm_logs/rule_validate_data/" in output, output[-3000:]
    # The job did run on Slurm, and failed there.
    accounted = sacct_jobs(slurm_run_id(output))
    assert list(accounted.values()) == [("validate_data", "FAILED")]


def stopped_before_submitting(run: tuple[Path, int, str, float]) -> str:
    """The one `ascflow:` sentence of a run that must have stopped at once,
    before sending anything to Slurm."""
    _, returncode, output, seconds = run
    assert returncode != 0, f"the run did not stop:\n{output[-3000:]}"
    sentence = re.findall(r"^ascflow: .*$", output, re.MULTILINE)
    assert len(sentence) == 1, output[-3000:]
    assert "has been submitted with SLURM jobid" not in output
    assert sacct_jobs(slurm_run_id(output)) == {}
    # Within seconds: Snakemake's start-up and its plan, not a wait on Slurm.
    assert seconds < 60, f"it took {seconds:.0f}s"
    return sentence[0]


def test_a_job_no_node_can_run_stops_the_run_at_once_naming_it(runs):
    """set-threads above the node's CPUs: without the check, the job would
    pend (reason PartitionConfig) and Snakemake wait for ever."""
    sentence = stopped_before_submitting(runs["oversized"])
    cpus = node_cpus()
    assert re.match(r"ascflow: rule \w+ asks \d+ CPUs per task", sentence), sentence
    assert re.search(rf"\brule train_network (asks )?{cpus + 1}\b", sentence), sentence
    assert f"but no node of partition debug has more than {cpus}: " in sentence
    fix = rf": lower (its|their) threads in the profile's set-threads, or pass --max-threads {cpus}\.$"
    assert re.search(fix, sentence), sentence


def test_the_gpu_profile_on_a_cluster_without_gpus_stops_at_once(runs):
    sentence = stopped_before_submitting(runs["gpu"])
    gpus = "rule evaluate_model asks 1 GPU and rule train_network 1, but no node of partition debug has one: "
    assert gpus in sentence, sentence


def test_issue_29s_group_too_large_for_the_nodes_stops_the_run_at_once_naming_it(runs):
    """profiles/slurm on 2-CPU nodes with --max-threads 2: each job fits,
    but the 6 feature jobs go to Slurm in one submission of 6 CPUs, which
    would pend for ever (reason PartitionConfig)."""
    sentence = stopped_before_submitting(runs["small_nodes"])
    assert sentence == (
        "ascflow: group features (6 make_features jobs) would ask Slurm for 6 CPUs, but the largest "
        "node of partition small has 2 CPUs: pass --cores 2 (or set cores: 2 in the profile), so that "
        "its jobs run side by side on at most 2 CPUs, or set group-components: features: 2 in the profile."
    )


def test_a_job_slurm_holds_for_good_ends_the_run_in_one_sentence(runs):
    """The first job sent to a partition whose node limits no job meets:
    Slurm keeps it pending (PartitionNodeLimit) and the plugin would wait
    for ever; the watch cancels it and ends the run."""
    _, returncode, output, seconds = runs["held"]
    assert returncode != 0, output[-3000:]
    sentence = re.findall(r"^ascflow: .*$", output, re.MULTILINE)
    assert len(sentence) == 1, output[-3000:]
    assert re.match(
        r"ascflow: Slurm job \d+ \(rule generate_default_data\) is held: PartitionNodeLimit, which will "
        r"not clear by itself: partition held cannot give it the number of nodes it needs",
        sentence[0],
    ), sentence[0]
    assert sentence[0].endswith("The run stops and cancels its 1 Slurm job."), sentence[0]
    assert seconds < HELD_WITHIN, f"it took {seconds:.0f}s"
    # The held job is cancelled, and nothing else was submitted.
    assert list(sacct_jobs(slurm_run_id(output)).values()) == [("generate_default_data", "CANCELLED")]
