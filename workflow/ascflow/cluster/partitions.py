"""What each partition of a Slurm cluster offers, as ``sinfo`` lists it.

:func:`parse_sinfo` reads the output of :data:`SINFO_COMMAND` into one
:class:`Partition` per partition: the most its largest node offers (CPUs,
memory, GPUs and their models) and the partition's time limit.

Pure: :func:`ascflow.cluster.preflight.check_on_slurm` runs ``sinfo``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

#: Each partition's node configurations, one line per distinct one (--exact:
#: no "4+" minimums), hidden partitions included (--all): name (the default
#: one marked "*"), CPUs per node, memory per node in MB, the partition's time
#: limit, generic resources per node, the most CPUs of a node the partition
#: gives one job (its MaxCPUsPerNode; a job asking for more pends for ever,
#: reason PartitionConfig, as one asking for more than the node has).
SINFO_COMMAND = ("sinfo", "--noheader", "--all", "--exact", "--format", "%P|%c|%m|%l|%G|%B")


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


def parse_gres_gpu(item: str) -> tuple[int, str | None]:
    """The count and model of one generic resource if it is a GPU
    (``gpu``, ``gpu:2``, ``gpu:a100``, ``gpu:a100:2``), else (0, None): the
    form sinfo lists a node's in, and a job's ``gres`` resource asks in."""
    parts = item.strip().split(":")
    if parts[0] != "gpu":
        return 0, None
    count = int(parts[-1]) if len(parts) > 1 and parts[-1].isdigit() else 1
    model = parts[1] if len(parts) == 3 or (len(parts) == 2 and not parts[1].isdigit()) else None
    return count, model


def parse_gpus(gres: str) -> tuple[int, frozenset[str]]:
    """A node's GPU count and models from its generic resources as sinfo
    lists them (``gpu:a100:4(S:0-1),gpu:v100:2``, ``gpu:2``, ``(null)``)."""
    entries = [parse_gres_gpu(item) for item in re.sub(r"\([^)]*\)", "", gres).split(",")]
    return sum(count for count, _ in entries), frozenset(model for _, model in entries if model)


def _number(text: str) -> int:
    """A count of sinfo's, without the "+" it appends to minimums."""
    return int(text.strip().rstrip("+"))


def _max_cpus(text: str) -> float:
    """A partition's MaxCPUsPerNode (``UNLIMITED``: math.inf)."""
    text = text.strip()
    return int(text) if text.isdigit() else math.inf


def parse_sinfo(text: str) -> dict[str, Partition]:
    """Every partition in the output of :data:`SINFO_COMMAND`, with the most
    its largest node offers a job (the largest of each resource, which may be
    on different nodes; CPUs no more than the partition's MaxCPUsPerNode)."""
    partitions: dict[str, Partition] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        name, cpus, mem_mb, limit, gres, *max_cpus = line.split("|")
        default = name.endswith("*")
        name = name.rstrip("*")
        gpus, models = parse_gpus(gres)
        usable = min(_number(cpus), _max_cpus(max_cpus[0] if max_cpus else ""))
        node = Partition(name, usable, _number(mem_mb), parse_time_limit(limit), gpus, models, default)
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
