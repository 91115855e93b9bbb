"""What one attempt of a job asks Slurm for.

:func:`job_request` evaluates a profile's entries as Snakemake evaluates
them (:func:`evaluate_entry`) over the workflow's own threads and resources;
:func:`request_from_resources` reads the result as
snakemake-executor-plugin-slurm turns it into sbatch options, so that the
pre-flight check (:mod:`ascflow.cluster.preflight`) judges what Slurm will
be asked for.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import SimpleNamespace

from ascflow.cluster.partitions import parse_gres_gpu
from ascflow.cluster.profiles import ProfileEntries


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
    #: Snakemake's threads, which --cores bounds in a group (None: the CPUs).
    threads: int | None = field(default=None, compare=False)


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
            gpus, gpu_model = parse_gres_gpu(item)
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
        threads=_count(threads),
        cluster=resources.get("slurm_cluster")
        or resources.get("cluster")
        or resources.get("clusters")
        or None,
    )


# ---- a profile's entries, evaluated as Snakemake evaluates them --------------


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
    ``set-threads`` and ``set-resources`` over both, ``--max-threads`` and
    ``--cores`` last (Snakemake caps every job's threads at both)."""

    def evaluate(value, threads=None):
        return evaluate_entry(value, attempt=attempt, wildcards=wildcards, threads=threads)

    threads = own["threads"]
    if rule in entries.set_threads:
        threads = evaluate(entries.set_threads[rule])
    for cap in (entries.max_threads, entries.cores):
        if cap and isinstance(threads, int):
            threads = min(threads, cap)
    resources = {
        name: evaluate(value, threads) for name, value in entries.default_resources.items() if name not in own
    }
    resources.update({name: value for name, value in own.items() if name != "threads"})
    resources.update(
        {name: evaluate(value, threads) for name, value in entries.set_resources.get(rule, {}).items()}
    )
    known = {name: value for name, value in resources.items() if value is not None}
    return request_from_resources(rule, threads, known, attempt)
