"""The Slurm pre-flight check: the jobs a cluster's partitions never could run.

A job that asks for more than any node of its partition has (CPUs, memory,
GPUs) or for more time than the partition allows never starts: Slurm either
refuses it at submission or, for CPUs and time, keeps it pending for ever
(reason ``PartitionConfig`` or ``PartitionTimeLimit``) while Snakemake waits
without a word. :func:`check_requests` finds such jobs before they are
submitted, from the partitions as ``sinfo`` describes them
(:func:`ascflow.cluster.partitions.parse_sinfo`) and the jobs' requests
(:mod:`ascflow.cluster.requests`); :func:`check_on_slurm` runs ``sinfo``.
The jobs a profile groups are judged as Slurm gets them, one submission for
several jobs (:mod:`ascflow.cluster.groups`), and the sentence says which
``--cores`` or ``group-components`` makes a group fit.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from ascflow.cluster.groups import Grouping, GroupRequest, group_requests
from ascflow.cluster.partitions import SINFO_COMMAND, Partition, parse_sinfo
from ascflow.cluster.problems import KINDS, GroupProblem, Problem, describe_all
from ascflow.cluster.requests import Request
from ascflow.errors import AscflowError

#: What a group's submission may ask for beyond a node; a partition that
#: does not exist, or a GPU model it lacks, is its jobs' own problem.
_SIZES = {"threads": "cpus", "cpus_per_task": "cpus", "cpus_per_gpu": "cpus", "mem_mb": "mem_mb"}
_SIZES |= {"minutes": "minutes", "gpus": "gpus"}


def _problems(request: Request, partition: Partition) -> list[Problem]:
    """What one request asks for beyond the most a node of its partition offers."""

    def problem(kind, asked, offered):
        return Problem(request.rule, kind, asked, offered, partition.name, request.attempt)

    found = []
    if request.cpus is not None and request.cpus > partition.cpus:
        found.append(problem(request.cpus_from, request.cpus, partition.cpus))
    if request.mem_mb is not None and request.mem_mb > partition.mem_mb:
        found.append(problem("mem_mb", request.mem_mb, partition.mem_mb))
    if request.minutes is not None and request.minutes > partition.minutes:
        found.append(problem("minutes", request.minutes, partition.minutes))
    if request.gpus > partition.gpus:
        found.append(problem("gpus", request.gpus, partition.gpus))
    elif request.gpu_model and partition.gpu_models and request.gpu_model not in partition.gpu_models:
        found.append(problem("gpu_model", request.gpu_model, ", ".join(sorted(partition.gpu_models))))
    return found


def unrunnable(requests: Iterable[Request], partitions: Mapping[str, Partition]) -> list[Problem]:
    """The requests that no node of their partition can ever run: one problem
    per rule and kind, the largest request at the earliest attempt that
    makes it. A job without a partition goes to the cluster's default one;
    one for a partition that ``sinfo`` does not list is a problem too. A job
    for another cluster is not judged: ``sinfo`` lists this one's."""
    found: dict[tuple[str, str], Problem] = {}
    for request in sorted(requests, key=lambda request: request.attempt):
        if request.cluster:
            continue
        partition = _partition(request, partitions)
        if request.partition and partition is None:
            listed = ", ".join(sorted(partitions))
            problems = [Problem(request.rule, "partition", request.partition, listed, "", request.attempt)]
        elif partition is None:
            continue  # no default partition known: the plugin submits without -p
        else:
            problems = _problems(request, partition)
        for problem in problems:
            key = (problem.rule, problem.kind)
            earlier = found.get(key)
            if earlier is None or (
                earlier.attempt == problem.attempt and _larger(problem.asked, earlier.asked)
            ):
                found[key] = problem
    return sorted(
        found.values(), key=lambda problem: (problem.attempt, KINDS.index(problem.kind), problem.rule)
    )


def _larger(one, other) -> bool:
    return isinstance(one, int) and isinstance(other, int) and one > other


def _partition(request: Request, partitions: Mapping[str, Partition]) -> Partition | None:
    """The partition a request goes to: its own, else the cluster's default."""
    if request.partition:
        return partitions.get(request.partition)
    return next((partition for partition in partitions.values() if partition.default), None)


def _sizes(request: Request, partition: Partition) -> tuple[str, ...]:
    """What a group's submission asks for beyond its partition: cpus, mem_mb, minutes, gpus."""
    kinds = {_SIZES[problem.kind] for problem in _problems(request, partition) if problem.kind in _SIZES}
    return tuple(kind for kind in ("cpus", "mem_mb", "minutes", "gpus") if kind in kinds)


def _group_fix(members: list[Request], grouping: Grouping, group: str, partition: Partition):
    """The largest lower ``--cores`` and the largest lower group-components
    with which the group's submission fits ``partition`` (None: none does)."""

    def fits(changed: Grouping) -> bool:
        return not _sizes(group_requests(members, changed)[0].request, partition)

    highest = min((grouping.cores or math.inf) - 1, partition.cpus)
    cores = next((c for c in range(highest, 0, -1) if fits(grouping.with_cores(c))), None)
    components = grouping.components.get(group, 1)
    fewer = (n for n in range(components - 1, 0, -1) if fits(grouping.with_components(group, n)))
    return cores, next(fewer, None)


def _group_problem(
    submission: GroupRequest, members: list[Request], grouping: Grouping, partition: Partition
) -> GroupProblem | None:
    request = submission.request
    kinds = _sizes(request, partition)
    if not kinds:
        return None
    asked = {"cpus": request.cpus, "mem_mb": request.mem_mb, "minutes": request.minutes, "gpus": request.gpus}
    offered = {"cpus": partition.cpus, "mem_mb": partition.mem_mb}
    offered |= {"minutes": partition.minutes, "gpus": partition.gpus}
    return GroupProblem(
        submission.group,
        submission.jobs,
        kinds,
        asked,
        offered,
        partition.name,
        request.attempt,
        fixes=_group_fix(members, grouping, submission.group, partition),
    )


def unrunnable_groups(
    requests: Iterable[Request], grouping: Grouping, partitions: Mapping[str, Partition]
) -> list[GroupProblem]:
    """The groups whose largest submission no node of its partition can
    run, at the earliest attempt that makes it: one problem per group."""
    requests = [request for request in requests if request.rule in grouping.groups and not request.cluster]
    found: dict[str, GroupProblem] = {}
    for submission in sorted(group_requests(requests, grouping), key=lambda submission: submission.attempt):
        partition = _partition(submission.request, partitions)
        if partition is None or submission.group in found:
            continue
        members = [
            request
            for request in requests
            if grouping.groups[request.rule] == submission.group and request.attempt == submission.attempt
        ]
        problem = _group_problem(submission, members, grouping, partition)
        if problem:
            found[submission.group] = problem
    return sorted(found.values(), key=lambda problem: (problem.attempt, problem.group))


def check_requests(
    requests: Iterable[Request], partitions: Mapping[str, Partition], grouping: Grouping | None = None
) -> str | None:
    """Raise :class:`AscflowError` naming every rule (and every group of
    ``grouping``) whose first attempt no node of its partition can run;
    return a warning (one sentence) for those that only a retry (a later
    attempt, asking for more) could not, else None. A grouped job is judged
    by its group's submission, and alone only for its partition and GPU model."""
    requests, grouping = list(requests), grouping or Grouping()
    problems = [
        problem
        for problem in unrunnable(requests, partitions)
        if problem.rule not in grouping.groups or problem.kind in ("partition", "gpu_model")
    ]
    groups = unrunnable_groups(requests, grouping, partitions)
    first = [problem for problem in problems if problem.attempt == 1]
    first_groups = [problem for problem in groups if problem.attempt == 1]
    if first or first_groups:
        raise AscflowError(describe_all(first, first_groups))
    if problems or groups:
        return f"if retried, {describe_all(problems, groups)}"
    return None


def check_on_slurm(requests: Iterable[Request], grouping: Grouping | None = None) -> str | None:
    """:func:`check_requests` against the partitions ``sinfo`` lists here;
    where sinfo cannot be run, the one line that says the requests were not
    checked."""
    import subprocess

    try:
        listing = subprocess.run(SINFO_COMMAND, capture_output=True, text=True, timeout=60, check=True)
    except (OSError, subprocess.SubprocessError) as error:
        return f"the jobs' requests are not checked against the partitions: {error}"
    return check_requests(requests, parse_sinfo(listing.stdout), grouping)
