"""Slurm jobs held for a reason that cannot clear, and the sentence that names one.

Slurm keeps a job that it will never start PENDING, with a reason
(``PartitionConfig``: no node of the partition offers what it asks for;
``PartitionTimeLimit``, ``BadConstraints``, a QOS's per-job limit...), and
the Slurm executor plugin, which asks only whether a job has ended, waits
for ever. :func:`parse_squeue` reads :data:`SQUEUE_COMMAND`'s listing,
:func:`run_jobs` keeps the jobs of one run, :func:`newly_held` finds those
pending for such a reason on two listings in a row, and :func:`held_sentence`
says what the reason means and what to change.

Pure: :mod:`ascflow.cluster.watch` runs squeue and scancel.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

#: The user's queued jobs: ID, state, partition, reason, name, comment, and
#: working directory last (a path may hold the separator).
SQUEUE_COMMAND = ("squeue", "--me", "--noheader", "--format", "%i|%T|%P|%r|%j|%k|%Z")

_CHANGE_PARTITION = "slurm_partition in the profile's set-resources"

#: Reasons a pending job keeps until someone changes it or the cluster's
#: configuration: what each means for the job, and what to change.
CANNOT_CLEAR: dict[str, tuple[str, str]] = {
    "PartitionConfig": (
        "no node of partition {partition} offers what it asks for (CPUs, memory, GPUs or features), "
        "or the partition limits the CPUs of a job",
        "lower its threads (set-threads, --cores) or resources (set-resources) in the profile, "
        f"or choose a partition with larger nodes ({_CHANGE_PARTITION})",
    ),
    "PartitionTimeLimit": (
        "it asks for more time than partition {partition} allows",
        f"lower its runtime in the profile's set-resources, or choose a partition with a longer limit "
        f"({_CHANGE_PARTITION})",
    ),
    "PartitionNodeLimit": (
        "partition {partition} cannot give it the number of nodes it needs: its node limits exclude "
        "the job, or its nodes are down or drained",
        f"choose another partition ({_CHANGE_PARTITION}), or ask the cluster's administrators",
    ),
    "BadConstraints": (
        "no node of partition {partition} has the features its constraint asks for",
        "correct its constraint in the profile's set-resources (sinfo -o '%P %f' lists the features)",
    ),
    "InvalidAccount": (
        "its account is not valid",
        "set slurm_account in the profile to one of yours (sacctmgr show assoc user=$USER format=account)",
    ),
    "InvalidQOS": (
        "its QOS is not valid",
        "set its qos in the profile to one your account may use (sacctmgr show assoc user=$USER format=qos)",
    ),
    "DependencyNeverSatisfied": (
        "it waits for a job that will never end as it requires",
        "cancel the run and start it again",
    ),
}

#: A QOS's or an account's limit on one job (QOSMaxCpuPerJobLimit,
#: AssocMaxWallDurationPerJobLimit, QOSMinMemory...): the job asks for more,
#: or less, than any job may, for ever.
_PER_JOB = re.compile(r"^(QOS|Assoc)Max\w*PerJob\w*$|^QOSMin\w+$")
_PER_JOB_MEANING = (
    "it asks for more (or less) than its QOS or account allows one job",
    "lower its threads or resources in the profile, or choose another qos (set-resources)",
)


@dataclass(frozen=True)
class QueuedJob:
    """One line of :data:`SQUEUE_COMMAND`'s listing."""

    id: str
    state: str
    partition: str
    reason: str
    name: str
    comment: str
    workdir: str


def parse_squeue(text: str) -> list[QueuedJob]:
    """Every job of :data:`SQUEUE_COMMAND`'s listing (lines it cannot read are left out)."""
    jobs = []
    for line in text.splitlines():
        fields = line.strip().split("|", 6)
        if len(fields) == 7:
            jobs.append(QueuedJob(*(field.strip() for field in fields)))
    return jobs


def run_jobs(jobs: Iterable[QueuedJob], workdir: str, before: Iterable[str] = ()) -> list[QueuedJob]:
    """The jobs of this run: submitted by the Slurm executor plugin (its
    comment names the rule: ``rule_<name>...``) from ``workdir`` (the plugin
    submits with ``-D``), and not listed before the run began (``before``:
    the job IDs listed then, a killed earlier run's among them)."""
    before, here = set(before), os.path.realpath(workdir)
    return [
        job
        for job in jobs
        if job.comment.startswith("rule_")
        and job.id not in before
        and os.path.realpath(job.workdir or "/nowhere") == here
    ]


def _reason_code(reason: str) -> str:
    """``ReqNodeNotAvail, UnavailableNodes:n1`` -> ``ReqNodeNotAvail``."""
    return re.split(r"[\s,(]", reason.strip(), maxsplit=1)[0]


def cannot_clear(reason: str) -> tuple[str, str] | None:
    """What a pending reason means and what to change, where the job will
    never start without a change; None where it may clear by itself
    (``Resources``, ``Priority``, a limit on the jobs running at once, a
    node that is down: ``ReqNodeNotAvail`` clears when it comes back)."""
    code = _reason_code(reason)
    if code in CANNOT_CLEAR:
        return CANNOT_CLEAR[code]
    if _PER_JOB.match(code):
        return _PER_JOB_MEANING
    return None


def newly_held(previous: Iterable[QueuedJob], current: Iterable[QueuedJob]) -> list[QueuedJob]:
    """The jobs pending for a reason that cannot clear on both listings
    (the same reason twice: not a passing state), in the order of their IDs."""
    before = {job.id: job for job in previous if job.state == "PENDING" and cannot_clear(job.reason)}
    held = [
        job
        for job in current
        if job.state == "PENDING" and job.id in before and _same(before[job.id].reason, job.reason)
    ]
    return sorted(held, key=lambda job: (len(job.id), job.id))


def _same(one: str, other: str) -> bool:
    return _reason_code(one) == _reason_code(other) and cannot_clear(other) is not None


def job_label(comment: str, rules: Iterable[str] = (), groups: Iterable[str] = ()) -> str:
    """Which jobs a Slurm job runs, from the plugin's comment:
    ``rule_<rule>``, ``rule_<rule>_wildcards_<values>`` or, for a group,
    ``rule_<group>_<its rules>``; ``rules`` and ``groups`` are the run's."""
    body = comment.removeprefix("rule_")
    for rule in sorted(rules, key=len, reverse=True):
        if body == rule:
            return f"rule {rule}"
        if body.startswith(f"{rule}_wildcards_"):
            return f"rule {rule}, {body.removeprefix(f'{rule}_wildcards_')}"
    for group in sorted(groups, key=len, reverse=True):
        if body.startswith(f"{group}_"):
            return f"group {group}"
    return f"rule {body}"


def held_sentence(held: list[QueuedJob], cancelled: int, names: Mapping[str, Iterable[str]]) -> str:
    """One sentence for the first of the ``held`` jobs: its rule (or group),
    the reason, what it means and what to change; ``cancelled``: how many
    of the run's Slurm jobs were cancelled; ``names``: the run's
    ``rules`` and ``groups``."""
    job = held[0]
    meaning, change = cannot_clear(job.reason) or ("", "")
    label = job_label(job.comment, names.get("rules", ()), names.get("groups", ()))
    others = len(held) - 1
    also = f" (and {others} more of this run's jobs)" if others else ""
    jobs = f"{cancelled} Slurm job" + ("" if cancelled == 1 else "s")
    return (
        f"Slurm job {job.id} ({label}) is held: {job.reason}{also}, which will not clear by itself: "
        f"{meaning.format(partition=job.partition)}; {change}. The run stops and cancels its {jobs}."
    )
