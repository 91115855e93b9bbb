"""A Snakemake profile's threads and resources: the resource names anything
reads, the check that a profile uses no other, and its entries as written.

:func:`check_profile_entries` catches the silent mistake of a cluster
profile: a ``set-threads`` or ``set-resources`` entry for a rule the workflow
does not have, or a resource name that nothing reads (``runtme``), which
Snakemake would accept and ignore. :class:`ProfileEntries` carries the
entries, as written, to :func:`ascflow.cluster.requests.job_request`, which
evaluates them for each job.

Pure: the Snakefile hands over Snakemake's resource settings.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ascflow.errors import AscflowError

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


# ---- a profile's entries, as written ---------------------------------------


@dataclass(frozen=True)
class ProfileEntries:
    """A profile's (or the command line's) threads and resources, as written:
    numbers, or the text of a Python expression."""

    set_threads: Mapping[str, object] = field(default_factory=dict)
    set_resources: Mapping[str, Mapping[str, object]] = field(default_factory=dict)
    default_resources: Mapping[str, object] = field(default_factory=dict)
    max_threads: int | None = None
    #: --cores: on a cluster, the most threads one job (or group) is given.
    cores: int | None = None
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
            cores=settings.cores if isinstance(getattr(settings, "cores", None), int) else None,
            limited=tuple(settings.resources),
        )

    def check(self, rules: Iterable[str]) -> None:
        """:func:`check_profile_entries` of these entries against the workflow's ``rules``."""
        check_profile_entries(
            rules, self.set_threads, self.set_resources, self.default_resources, self.limited
        )
