"""ascflow.cluster.held: squeue's listing read, the jobs of one run kept, the
reasons that cannot clear told from those that may, and the one sentence
(tests/workflow/test_slurm.py provokes a held job on the local cluster)."""

from __future__ import annotations

import pytest
from ascflow.cluster.held import (
    SQUEUE_COMMAND,
    QueuedJob,
    cannot_clear,
    held_sentence,
    job_label,
    newly_held,
    parse_squeue,
    run_jobs,
)

RUN = "0d6a7a4e-7d2b-4d39-9d3c-1f1c3c0f4a55"
#: `squeue --me --noheader --format '%i|%T|%P|%r|%j|%k|%Z'` during a run in
#: /work/run: its held group and pending rule job, a job of someone's own
#: from the same folder, another folder's run, and a job that began before.
LISTING = f"""\
12|PENDING|debug|PartitionConfig|{RUN}|rule_features_make_features|/work/run
13|PENDING|debug|Priority|{RUN}|rule_train_network_wildcards_cnn|/work/run
14|RUNNING|debug|None|{RUN}|rule_validate_data|/work/run
15|PENDING|debug|PartitionConfig|interactive|(null)|/work/run
16|PENDING|debug|PartitionConfig|{RUN}|rule_validate_data|/work/other
9|PENDING|debug|PartitionConfig|{RUN}|rule_validate_data|/work/run
"""


def test_the_listing_is_read_and_the_runs_jobs_kept():
    assert SQUEUE_COMMAND[:2] == ("squeue", "--me")
    jobs = parse_squeue(LISTING + "garbage\n\n")
    assert len(jobs) == 6
    assert jobs[0] == QueuedJob(
        "12", "PENDING", "debug", "PartitionConfig", RUN, "rule_features_make_features", "/work/run"
    )
    assert [job.id for job in run_jobs(jobs, "/work/run", before={"9"})] == ["12", "13", "14"]


def test_a_working_directory_may_hold_the_separator():
    (job,) = parse_squeue("1|PENDING|debug|None|x|rule_a|/work/odd|name\n")
    assert job.workdir == "/work/odd|name"


@pytest.mark.parametrize(
    "reason",
    [
        "PartitionConfig",
        "PartitionTimeLimit",
        "PartitionNodeLimit",
        "BadConstraints",
        "InvalidAccount",
        "QOSMaxCpuPerJobLimit",
        "QOSMaxWallDurationPerJobLimit",
        "AssocMaxNodePerJobLimit",
        "QOSMinMemory",
    ],
)
def test_reasons_that_never_clear_are_told(reason):
    meaning, change = cannot_clear(reason)
    assert meaning and change


@pytest.mark.parametrize(
    "reason",
    [
        "None",
        "Resources",
        "Priority",
        "Dependency",
        "BeginTime",
        "QOSMaxCpuPerUserLimit",  # clears when the user's other jobs end
        "AssocGrpCpuLimit",
        "JobHeldUser",
        "ReqNodeNotAvail, UnavailableNodes:n1",  # clears when the node is back
        "PartitionDown",
        "",
    ],
)
def test_reasons_that_may_clear_are_waited_for(reason):
    assert cannot_clear(reason) is None


def test_a_job_is_held_once_two_listings_in_a_row_give_a_reason_that_cannot_clear():
    first = run_jobs(parse_squeue(LISTING), "/work/run")
    assert newly_held([], first) == []
    second = [
        QueuedJob(job.id, job.state, job.partition, job.reason, job.name, job.comment, job.workdir)
        for job in first
    ]
    assert [job.id for job in newly_held(first, second)] == ["9", "12"]
    # A reason that changed in between, or a job that started, is not held.
    moved = [QueuedJob("12", "PENDING", "debug", "Resources", RUN, "rule_x", "/work/run")]
    assert newly_held(first, moved) == []
    started = [QueuedJob("12", "RUNNING", "debug", "None", RUN, "rule_x", "/work/run")]
    assert newly_held(first, started) == []


def test_the_plugins_comment_names_the_rule_or_the_group():
    rules, groups = ["make_features", "train_network", "validate_data"], ["features"]
    assert job_label("rule_validate_data", rules, groups) == "rule validate_data"
    assert job_label("rule_train_network_wildcards_cnn", rules, groups) == "rule train_network, cnn"
    assert job_label("rule_features_make_features", rules, groups) == "group features"
    assert job_label("rule_unknown_rule", rules, groups) == "rule unknown_rule"


def test_one_sentence_names_the_job_its_reason_and_what_to_change():
    held = newly_held(parse_squeue(LISTING), parse_squeue(LISTING))
    held = [job for job in held if job.id == "12"]
    sentence = held_sentence(held, 3, {"rules": ["make_features"], "groups": ["features"]})
    assert sentence == (
        "Slurm job 12 (group features) is held: PartitionConfig, which will not clear by itself: "
        "no node of partition debug offers what it asks for (CPUs, memory, GPUs or features), or the "
        "partition limits the CPUs of a job; lower its threads (set-threads, --cores) or resources "
        "(set-resources) in the profile, or choose a partition with larger nodes (slurm_partition in "
        "the profile's set-resources). The run stops and cancels its 3 Slurm jobs."
    )
    two = held_sentence(held * 2, 1, {})
    assert "(and 1 more of this run's jobs)" in two and "cancels its 1 Slurm job." in two
