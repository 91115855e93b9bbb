"""What a job asks for beyond its partition, and the one sentence that names
every such problem with the profile entry that fixes it.

:func:`describe` groups the problems by kind, partition and attempt, so that
eight jobs of one rule, or two rules with the same fix, make one clause.
"""

from __future__ import annotations

from dataclasses import dataclass

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


# ---- the sentence --------------------------------------------------------------

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


# ---- a group's submission ------------------------------------------------------


@dataclass(frozen=True)
class GroupProblem:
    """One submission of a group that asks for more than its partition's
    largest node (or its time limit) offers, and what would make it fit
    (``fixes``): a lower ``--cores``, fewer ``group-components`` (None
    where neither does)."""

    group: str
    jobs: tuple[tuple[str, int], ...]  # (rule, count)
    kinds: tuple[str, ...]  # "cpus", "mem_mb", "minutes", "gpus"
    asked: dict  # kind -> amount, the CPUs and the memory always
    offered: dict  # kind -> the most the partition offers
    partition: str
    attempt: int = 1
    fixes: tuple[int | None, int | None] = (None, None)


def _counted(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


_NOUNS = {"cpus": "CPU", "gpus": "GPU"}


def _amounts(amounts: dict, kinds) -> str:
    """``6 CPUs, 6000 MB and 90 minutes``: the amounts of ``kinds`` that are known."""
    words = []
    for kind in kinds:
        value = amounts.get(kind)
        if value is None:
            continue
        if kind in _NOUNS:
            words.append(_counted(value, _NOUNS[kind]))
        else:
            words.append(f"{_amount(value)} " + ("MB" if kind == "mem_mb" else "minutes"))
    return _listed(words)


def describe_group(problem: GroupProblem) -> str:
    """One clause for one group: what its submission asks for, what the
    partition offers, and the profile entry that makes it fit."""
    jobs = _listed([_counted(count, f"{rule} job") for rule, count in problem.jobs])
    on_attempt = f" on attempt {problem.attempt}" if problem.attempt > 1 else ""
    shown = ["cpus", "mem_mb"] + [kind for kind in ("minutes", "gpus") if kind in problem.kinds]
    asks = f"group {problem.group} ({jobs}) would ask Slurm{on_attempt} for {_amounts(problem.asked, shown)}"
    node = [kind for kind in ("cpus", "mem_mb", "gpus") if kind in problem.kinds]
    where, limits = f"partition {problem.partition}", []
    if node:
        limits.append(f"the largest node of {where} has {_amounts(problem.offered, node)}")
    if "minutes" in problem.kinds:
        limits.append(f"{where} allows at most {_amount(problem.offered['minutes'])} minutes")
    cores, components = problem.fixes
    fixes = []
    if cores:
        fixes.append(
            f"pass --cores {cores} (or set cores: {cores} in the profile), so that its "
            f"jobs run side by side on at most {_counted(cores, 'CPU')}"
        )
    if components:
        fixes.append(f"set group-components: {problem.group}: {components} in the profile")
    if not fixes:
        fixes.append(f"take its rules out of group {problem.group} (the profile's groups)")
    return f"{asks}, but {' and '.join(limits)}: {', or '.join(fixes)}"


def describe_all(problems: list[Problem], group_problems: list[GroupProblem]) -> str:
    """One sentence for the problems of single jobs and of groups."""
    clauses = [describe(problems)[:-1]] if problems else []
    clauses += [describe_group(problem) for problem in group_problems]
    return "; ".join(clauses) + "."
