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
