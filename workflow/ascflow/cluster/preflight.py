"""The Slurm pre-flight check: the jobs a cluster's partitions never could run.

A job that asks for more than any node of its partition has (CPUs, memory,
GPUs) or for more time than the partition allows never starts: Slurm either
refuses it at submission or, for CPUs and time, keeps it pending for ever
(reason ``PartitionConfig`` or ``PartitionTimeLimit``) while Snakemake waits
without a word. :func:`check_requests` finds such jobs before they are
submitted, from the partitions as ``sinfo`` describes them
(:func:`ascflow.cluster.partitions.parse_sinfo`) and the jobs' requests
(:mod:`ascflow.cluster.requests`); :func:`check_on_slurm` runs ``sinfo``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ascflow.cluster.partitions import SINFO_COMMAND, Partition, parse_sinfo
from ascflow.cluster.problems import KINDS, Problem, describe
from ascflow.cluster.requests import Request
from ascflow.errors import AscflowError


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
    default = next((partition for partition in partitions.values() if partition.default), None)
    found: dict[tuple[str, str], Problem] = {}
    for request in sorted(requests, key=lambda request: request.attempt):
        if request.cluster:
            continue
        partition = partitions.get(request.partition) if request.partition else default
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


def check_requests(requests: Iterable[Request], partitions: Mapping[str, Partition]) -> str | None:
    """Raise :class:`AscflowError` naming every rule whose first attempt no
    node of its partition can run; return a warning (one sentence) for those
    that only a retry (a later attempt, asking for more) could not, else None."""
    problems = unrunnable(requests, partitions)
    first = [problem for problem in problems if problem.attempt == 1]
    if first:
        raise AscflowError(describe(first))
    return f"if retried, {describe(problems)}" if problems else None


def check_on_slurm(requests: Iterable[Request]) -> str | None:
    """:func:`check_requests` against the partitions ``sinfo`` lists here;
    where sinfo cannot be run, the one line that says the requests were not
    checked."""
    import subprocess

    try:
        listing = subprocess.run(SINFO_COMMAND, capture_output=True, text=True, timeout=60, check=True)
    except (OSError, subprocess.SubprocessError) as error:
        return f"the jobs' requests are not checked against the partitions: {error}"
    return check_requests(requests, parse_sinfo(listing.stdout))
