"""What a Slurm cluster's partitions can run, and the jobs they never could.

A job that asks for more than any node of its partition has (CPUs, memory,
GPUs) or for more time than the partition allows never starts: Slurm either
refuses it at submission or, for CPUs and time, keeps it pending for ever
(reason ``PartitionConfig`` or ``PartitionTimeLimit``) while Snakemake waits
without a word. :func:`check_requests` finds such jobs before they are
submitted, from the partitions as ``sinfo`` describes them
(:func:`parse_sinfo`) and the jobs' requests read as
snakemake-executor-plugin-slurm reads them (:func:`request_from_resources`).

:func:`check_profile_entries` catches the other silent mistake of a cluster
profile: a ``set-threads`` or ``set-resources`` entry for a rule the workflow
does not have, or a resource name that nothing reads (``runtme``), which
Snakemake would accept and ignore.

Pure: the Snakefile runs ``sinfo`` and hands over what Snakemake planned.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import SimpleNamespace

from ascflow.errors import AscflowError

#: Each partition's node configurations, one line per distinct one (--exact:
#: no "4+" minimums), hidden partitions included (--all): name (the default
#: one marked "*"), CPUs per node, memory per node in MB, the partition's time
#: limit, generic resources per node.
SINFO_COMMAND = ("sinfo", "--noheader", "--all", "--exact", "--format", "%P|%c|%m|%l|%G")

#: Resources Snakemake itself defines or converts (snakemake.resources:
#: sized, time and default resources) and the standard GPU resource.
SNAKEMAKE_RESOURCES = frozenset(
    {"mem", "mem_mb", "mem_mib", "disk", "disk_mb", "disk_mib", "runtime", "tmpdir", "gpu"}
)
#: Resources snakemake-executor-plugin-slurm 2.8.0 and its job-step plugin
#: read (tests/unit/cluster/test_profiles.py checks this list against their source).
SLURM_RESOURCES = frozenset(
    {
        "cluster",
        "clusters",
        "constraint",
        "cpus_per_gpu",
        "cpus_per_task",
        "gpu",
        "gpu_model",
        "gres",
        "mem_mb",
        "mem_mb_per_cpu",
        "mpi",
        "nodes",
        "qos",
        "runtime",
        "slurm_account",
        "slurm_cluster",
        "slurm_extra",
        "slurm_partition",
        "tasks",
        "tasks_per_gpu",
        "tasks_per_node",
        "threads",
    }
)
#: The resources the Slurm executor passes to sbatch as counts.
COUNT_RESOURCES = frozenset(
    {"gpu", "cpus_per_gpu", "cpus_per_task", "tasks", "tasks_per_gpu", "tasks_per_node", "nodes"}
)
#: Resource names Snakemake keeps for itself (threads, --jobs).
_INTERNAL_RESOURCES = frozenset({"_cores", "_nodes"})
#: The workflow's own resources: a local job's share of the CPUs, which the
#: default profile limits (ascflow.plan.CPU_SHARE_WHOLE).
ASCFLOW_RESOURCES = frozenset({"cpu_share"})


# ---- the profile's names ---------------------------------------------------


def _suggestion(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, sorted(known), n=1)
    return f"did you mean {close[0]}?" if close else f"known: {', '.join(sorted(known))}."


def check_profile_entries(
    rules: Iterable[str],
    set_threads: Iterable[str],
    set_resources: Mapping[str, Mapping[str, object]],
    default_resources: Mapping[str, object],
    limited: Iterable[str] = (),
) -> None:
    """Raise :class:`AscflowError` for the first entry that names no rule of
    the workflow (``set_threads``, the keys of ``set_resources``), sets a
    resource that neither Snakemake nor the Slurm executor reads (the names
    ``limited`` by ``--resources`` count as read), or gives a count (GPUs,
    CPUs, tasks, nodes) a word instead of a number. Resources map names to
    their values as written (``1``, ``"one"``, ``"2 * attempt"``)."""
    rules = set(rules)
    for option, names in (("set-threads", set_threads), ("set-resources", set_resources)):
        unknown = sorted(set(names) - rules)
        if unknown:
            raise AscflowError(
                f"{option} names rule {unknown[0]}, which this workflow does not have; "
                f"{_suggestion(unknown[0], rules)}"
            )
    known = SNAKEMAKE_RESOURCES | SLURM_RESOURCES | ASCFLOW_RESOURCES | _INTERNAL_RESOURCES | set(limited)
    entries = [("default-resources", default_resources)]
    entries += [(f"set-resources of rule {rule}", set_resources[rule]) for rule in sorted(set_resources)]
    for where, resources in entries:
        for name, value in resources.items():
            if name not in known:
                raise AscflowError(
                    f"{where} sets resource {name}, which neither Snakemake nor its Slurm "
                    f"executor reads; {_suggestion(name, known - _INTERNAL_RESOURCES)}"
                )
            if name in COUNT_RESOURCES and isinstance(value, str) and _is_word(value):
                raise AscflowError(f"{where} gives {name} the word {value}, where it needs a whole number.")


def _is_word(text: str) -> bool:
    """Whether a resource's text is a bare word, which Snakemake keeps as
    text (an expression or a number is evaluated)."""
    return text.isidentifier() and text not in ("True", "False", "None")


# ---- a profile's entries, evaluated as Snakemake evaluates them --------------


@dataclass(frozen=True)
class ProfileEntries:
    """A profile's (or the command line's) threads and resources, as written:
    numbers, or the text of a Python expression."""

    set_threads: Mapping[str, object] = field(default_factory=dict)
    set_resources: Mapping[str, Mapping[str, object]] = field(default_factory=dict)
    default_resources: Mapping[str, object] = field(default_factory=dict)
    max_threads: int | None = None
    #: The resources --resources limits (which count as read).
    limited: tuple[str, ...] = ()

    @classmethod
    def from_settings(cls, settings) -> ProfileEntries:
        """The entries of Snakemake's resource settings (the profile's and
        the command line's), each value as written."""

        def as_written(resources) -> dict:
            return {name: getattr(value, "raw", value) for name, value in resources.items()}

        return cls(
            set_threads=as_written(settings.overwrite_threads),
            set_resources={
                rule: as_written(entries) for rule, entries in settings.overwrite_resources.items()
            },
            default_resources=as_written(settings.default_resources or {}),
            max_threads=settings.max_threads,
            limited=tuple(settings.resources),
        )

    def check(self, rules: Iterable[str]) -> None:
        """:func:`check_profile_entries` of these entries against the workflow's ``rules``."""
        check_profile_entries(
            rules, self.set_threads, self.set_resources, self.default_resources, self.limited
        )


class _InputSizeUnknown(Exception):
    """An entry reads its job's input files, which do not exist yet."""


class _Inputs:
    def __getattr__(self, name):
        raise _InputSizeUnknown(name)


def evaluate_entry(value, *, attempt: int, wildcards: Mapping[str, str], threads: int | None = None):
    """An entry's value for one attempt of a job: Snakemake evaluates the
    text as a Python expression of ``attempt``, ``threads``, ``wildcards``
    and ``input``, and keeps text that is no expression as text. None where
    it needs the sizes of the job's inputs, unknown before they are made."""
    if not isinstance(value, str):
        return value
    names = {"attempt": attempt, "wildcards": SimpleNamespace(**wildcards), "input": _Inputs()}
    if threads is not None:
        names["threads"] = threads
    try:
        return eval(value, {}, names)  # the profile's own expression, as Snakemake runs it
    except _InputSizeUnknown:
        return None
    except (NameError, SyntaxError):
        return value


def job_request(
    rule: str, wildcards: Mapping[str, str], own: Mapping, entries: ProfileEntries, attempt: int = 1
) -> Request:
    """What one attempt of a job asks Slurm for: the workflow's own threads
    and resources (``own``, None where unknown yet), the profile's
    ``default-resources`` for what the rule does not set, its
    ``set-threads`` and ``set-resources`` over both, ``--max-threads`` last."""

    def evaluate(value, threads=None):
        return evaluate_entry(value, attempt=attempt, wildcards=wildcards, threads=threads)

    threads = own["threads"]
    if rule in entries.set_threads:
        threads = evaluate(entries.set_threads[rule])
    if entries.max_threads and isinstance(threads, int):
        threads = min(threads, entries.max_threads)
    resources = {
        name: evaluate(value, threads) for name, value in entries.default_resources.items() if name not in own
    }
    resources.update({name: value for name, value in own.items() if name != "threads"})
    resources.update(
        {name: evaluate(value, threads) for name, value in entries.set_resources.get(rule, {}).items()}
    )
    known = {name: value for name, value in resources.items() if value is not None}
    return request_from_resources(rule, threads, known, attempt)


# ---- the partitions ----------------------------------------------------------


@dataclass(frozen=True)
class Partition:
    """The most one node of a partition offers, and its time limit."""

    name: str
    cpus: int
    mem_mb: int
    minutes: float  # math.inf: no limit
    gpus: int = 0
    gpu_models: frozenset[str] = frozenset()
    default: bool = False


def parse_time_limit(text: str) -> float:
    """A Slurm time limit (``infinite``, ``30:00``, ``8:00:00``,
    ``2-00:00:00``, ``2-12``) in minutes; ``math.inf`` for none."""
    text = text.strip()
    if text.lower() in ("infinite", "unlimited", "none", "n/a", ""):
        return math.inf
    days, _, clock = text.rpartition("-")
    parts = [int(part) for part in clock.split(":")]
    if days:
        # days-hours[:minutes[:seconds]]
        hours, minutes, seconds = (parts + [0, 0])[:3]
    elif len(parts) == 3:
        hours, minutes, seconds = parts
    else:
        # minutes[:seconds]
        hours, (minutes, seconds) = 0, (parts + [0])[:2]
    return int(days or 0) * 1440 + hours * 60 + minutes + seconds / 60


def _gpu_entry(item: str) -> tuple[int, str | None]:
    """The count and model of one generic resource if it is a GPU
    (``gpu``, ``gpu:2``, ``gpu:a100``, ``gpu:a100:2``), else (0, None)."""
    parts = item.strip().split(":")
    if parts[0] != "gpu":
        return 0, None
    count = int(parts[-1]) if len(parts) > 1 and parts[-1].isdigit() else 1
    model = parts[1] if len(parts) == 3 or (len(parts) == 2 and not parts[1].isdigit()) else None
    return count, model


def parse_gpus(gres: str) -> tuple[int, frozenset[str]]:
    """A node's GPU count and models from its generic resources as sinfo
    lists them (``gpu:a100:4(S:0-1),gpu:v100:2``, ``gpu:2``, ``(null)``)."""
    entries = [_gpu_entry(item) for item in re.sub(r"\([^)]*\)", "", gres).split(",")]
    return sum(count for count, _ in entries), frozenset(model for _, model in entries if model)


def _number(text: str) -> int:
    """A count of sinfo's, without the "+" it appends to minimums."""
    return int(text.strip().rstrip("+"))


def parse_sinfo(text: str) -> dict[str, Partition]:
    """Every partition in the output of :data:`SINFO_COMMAND`, with the most
    its largest node offers (the largest of each resource, which may be on
    different nodes)."""
    partitions: dict[str, Partition] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        name, cpus, mem_mb, limit, gres = line.split("|")
        default = name.endswith("*")
        name = name.rstrip("*")
        gpus, models = parse_gpus(gres)
        node = Partition(name, _number(cpus), _number(mem_mb), parse_time_limit(limit), gpus, models, default)
        known = partitions.get(name)
        if known:
            node = Partition(
                name,
                max(known.cpus, node.cpus),
                max(known.mem_mb, node.mem_mb),
                max(known.minutes, node.minutes),
                max(known.gpus, node.gpus),
                known.gpu_models | node.gpu_models,
                known.default or default,
            )
        partitions[name] = node
    return partitions


# ---- the jobs' requests ------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """What one attempt of a job asks Slurm for; None where not known before
    the job's inputs exist (a request that grows with the input size)."""

    rule: str
    partition: str | None  # None: the cluster's default partition
    cpus: int | None
    mem_mb: int | None
    minutes: int | None
    gpus: int = 0
    gpu_model: str | None = None
    attempt: int = 1
    cpus_from: str = "threads"  # or the resource that sets them: cpus_per_task, cpus_per_gpu
    cluster: str | None = None  # another cluster of a multi-cluster set-up (sbatch --clusters)


def _count(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def request_from_resources(rule: str, threads: int, resources: Mapping, attempt: int = 1) -> Request:
    """A job's request as the Slurm executor (plugin 2.8.0) turns it into
    sbatch options: GPUs from ``gpu`` (with ``gpu_model``, one by default) or
    ``gres``; CPUs from ``cpus_per_task``, else ``cpus_per_gpu`` times the
    GPUs of a GPU job, else the job's threads; memory from ``mem_mb_per_cpu``
    times the CPUs, else ``mem_mb``; ``runtime`` in minutes."""
    gpus, gpu_model = _count(resources.get("gpu")) or 0, resources.get("gpu_model") or None
    if gpu_model and not gpus:
        gpus = 1
    if not gpus and not gpu_model:
        for item in str(resources.get("gres") or "").split(","):
            gpus, gpu_model = _gpu_entry(item)
            if gpus:
                break
    cpus, cpus_from = _count(threads), "threads"
    if _count(resources.get("cpus_per_task")):  # 0 is unset for the plugin, too
        cpus, cpus_from = max(1, resources["cpus_per_task"]), "cpus_per_task"
    elif gpus and (_count(resources.get("cpus_per_gpu")) or 0) > 0:
        cpus, cpus_from = resources["cpus_per_gpu"] * gpus, "cpus_per_gpu"
    per_cpu = _count(resources.get("mem_mb_per_cpu"))
    mem_mb = per_cpu * cpus if per_cpu and cpus else _count(resources.get("mem_mb"))
    return Request(
        rule=rule,
        partition=str(resources.get("slurm_partition") or "") or None,
        cpus=cpus,
        mem_mb=mem_mb,
        minutes=_count(resources.get("runtime")),
        gpus=gpus,
        gpu_model=str(gpu_model) if gpu_model else None,
        attempt=attempt,
        cpus_from=cpus_from,
        cluster=resources.get("slurm_cluster")
        or resources.get("cluster")
        or resources.get("clusters")
        or None,
    )


# ---- the check -----------------------------------------------------------------


#: What a job may ask for beyond its partition, in the order they are named:
#: a partition, CPUs (from threads or a resource), memory, time, GPUs.
KINDS = ("partition", "threads", "cpus_per_task", "cpus_per_gpu", "mem_mb", "minutes", "gpus", "gpu_model")


@dataclass(frozen=True)
class Problem:
    """One thing one rule asks for that its partition never offers."""

    rule: str
    kind: str  # one of KINDS
    asked: int | str
    offered: int | float | str
    partition: str
    attempt: int = 1


def _problems(request: Request, partition: Partition) -> list[Problem]:
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


_UNITS = {
    "threads": "CPUs per task",
    "cpus_per_task": "CPUs per task",
    "cpus_per_gpu": "CPUs",
    "mem_mb": "MB of memory",
    "minutes": "minutes",
    "gpus": "GPUs",
}

_FIXES = {
    "threads": "lower its threads in the profile's set-threads, or pass --max-threads {offered}",
    "cpus_per_task": "lower its cpus_per_task in the profile's set-resources",
    "cpus_per_gpu": "lower its cpus_per_gpu in the profile's set-resources",
    "mem_mb": "lower its mem_mb in the profile's set-resources",
    "minutes": "lower its runtime in the profile's set-resources",
    "gpus": "give it a partition with GPUs (slurm_partition in the profile's set-resources)",
    "gpu_model": "set its gpu_model to one of those",
    "partition": "set slurm_partition in the profile to one of those, or delete it for the cluster's default",
}


def _amount(value) -> str:
    """A number as sinfo would show it: 480, not 480.0."""
    return f"{value:.0f}" if isinstance(value, float) and value.is_integer() else str(value)


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _clause(problems: list[Problem]) -> str:
    """One clause for problems of one kind, partition and attempt."""
    first = problems[0]
    kind, offered, where = first.kind, first.offered, f"partition {first.partition}"
    on_attempt = f" on attempt {first.attempt}" if first.attempt > 1 else ""
    fix = _FIXES[kind].format(offered=offered)
    if len(problems) > 1:
        fix = fix.replace("its ", "their ").replace("give it ", "give them ")
    if kind == "partition":
        asks = _listed([f"rule {p.rule} asks for partition {p.asked}" for p in problems])
        return f"{asks}{on_attempt}, which this cluster does not have (sinfo lists {offered}): {fix}"
    if kind == "gpu_model":
        asks = _listed([f"rule {p.rule} asks for a GPU of model {p.asked}" for p in problems])
        return f"{asks}{on_attempt}, but {where} has only {offered}: {fix}"
    unit = "GPU" if kind == "gpus" and first.asked == 1 else _UNITS[kind]
    asks = _listed(
        [f"rule {first.rule} asks {first.asked} {unit}"] + [f"rule {p.rule} {p.asked}" for p in problems[1:]]
    )
    if kind == "minutes":
        limit = f"{where} allows at most {_amount(offered)}"
    elif kind == "gpus" and not offered:
        limit = f"no node of {where} has one"
    else:
        limit = f"no node of {where} has more than {offered}"
    return f"{asks}{on_attempt}, but {limit}: {fix}"


def describe(problems: list[Problem]) -> str:
    """One sentence for all ``problems``, one clause per kind, partition and attempt."""
    groups: dict[tuple[int, str, str], list[Problem]] = {}
    for problem in problems:
        groups.setdefault((problem.attempt, problem.kind, problem.partition), []).append(problem)
    return "; ".join(_clause(group) for group in groups.values()) + "."


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
