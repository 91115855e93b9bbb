"""What a group of jobs asks Slurm for: one submission for several jobs.

A profile's ``groups`` put a rule's jobs into a Snakemake group and
``group-components`` says how many of them (unconnected jobs of the group's
rules) one submission takes. Snakemake sizes the submission from its jobs
(``snakemake.resources.GroupResources.basic_layered``, 9.x): the jobs that
could run at once are packed, largest first, into layers whose threads sum
to at most ``--cores`` (and whose resources stay within ``--resources``);
the jobs of a layer run side by side, the layers one after another. The
submission asks for the widest layer (threads, memory, GPUs summed over its
jobs) and the sum of the layers' run times. Each job's threads are capped
at ``--cores`` and ``--max-threads`` first (``Rule.expand_resources``).
:func:`group_request` mirrors that for one submission, and
:func:`group_requests` finds the largest submission of each group of a run.

The jobs of one rule are taken to be unconnected (none reads another's
output) and the rules of one group to follow one another, each a level of
its own: so it is for the rules the shipped profiles group (one rule each).

Pure: :mod:`ascflow.cluster.preflight` judges the requests.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from ascflow.cluster.requests import Request


@dataclass(frozen=True)
class Grouping:
    """How a run groups its jobs: the group of each grouped rule, how many
    jobs (components) a group's submission takes, ``--cores`` and the limits
    of ``--resources`` that Snakemake packs a group's layers within."""

    groups: Mapping[str, str] = field(default_factory=dict)
    components: Mapping[str, int] = field(default_factory=dict)
    cores: int | None = None
    limits: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def from_workflow(
        cls, rule_groups: Mapping[str, str | None], group_settings, resource_settings
    ) -> Grouping:
        """The grouping of a Snakemake run: each rule's group (``Rule.group``:
        the Snakefile's ``group:`` or the profile's ``groups``), the profile's
        ``group-components``, ``--cores`` and ``--resources``."""
        # --resources, as numbers or Snakemake's parsed Resource objects.
        given = {
            name: getattr(value, "value", value)
            for name, value in (resource_settings.resources or {}).items()
        }
        limits = {
            name: value
            for name, value in given.items()
            if isinstance(value, int) and not isinstance(value, bool)
        }
        return cls(
            groups={rule: group for rule, group in rule_groups.items() if group},
            components=dict(group_settings.group_components) if group_settings else {},
            cores=resource_settings.cores if isinstance(resource_settings.cores, int) else None,
            limits=limits,
        )

    def with_cores(self, cores: int) -> Grouping:
        return replace(self, cores=cores)

    def with_components(self, group: str, components: int) -> Grouping:
        return replace(self, components={**self.components, group: components})


@dataclass(frozen=True)
class GroupRequest:
    """One submission of a group: how many jobs of which rules it runs, and
    what it asks Slurm for (``request.rule`` is the group's name)."""

    group: str
    jobs: tuple[tuple[str, int], ...]  # (rule, count), in the order of the levels
    request: Request

    @property
    def attempt(self) -> int:
        return self.request.attempt


# ---- one submission, as Snakemake sizes it ------------------------------------

#: A job's numbers in the order they are packed: threads (what --cores
#: bounds), CPUs asked of Slurm, memory, GPUs; time, the layers' height, last.
_WIDTHS = ("threads", "cpus", "mem_mb", "gpus")


def _capped(request: Request, cores: int | None) -> Request:
    """The request with its threads capped at ``--cores``, as Snakemake caps
    every job's (CPUs too, where they are the threads)."""
    threads = request.threads if request.threads is not None else request.cpus
    if cores is None or threads is None or threads <= cores:
        return request
    cpus = min(request.cpus, cores) if request.cpus_from == "threads" and request.cpus else request.cpus
    return replace(request, threads=cores, cpus=cpus)


def _vector(request: Request) -> tuple:
    threads = request.threads if request.threads is not None else request.cpus
    return (threads, request.cpus, request.mem_mb, request.gpus, request.minutes)


def _layers(jobs: list[tuple], limits: tuple) -> list[list[tuple]]:
    """Snakemake's packing of one level (GroupResources._get_layers): the
    jobs sorted by their largest share of a limit, then by time, both
    largest first; each into the first layer where it fits."""

    def shares(job):
        return max((value or 0) / limit for value, limit in zip(job, limits, strict=False) if limit)

    def fits(layer):
        return all(not limit or sum(job[i] or 0 for job in layer) <= limit for i, limit in enumerate(limits))

    ordered = sorted(jobs, key=lambda job: shares(job) if any(limits) else 0, reverse=True)
    ordered = sorted(ordered, key=lambda job: job[-1] or 0, reverse=True)
    layers: list[list[tuple]] = []
    for job in ordered:
        layer = next((layer for layer in layers if fits([*layer, job])), None)
        if layer is None:
            layers.append([job])
        else:
            layer.append(job)
    return layers


def _total(values: list, combine) -> int | None:
    """Sum or max of values; None where one is unknown."""
    return None if any(value is None for value in values) else combine(values)


def group_request(group: str, levels: list[list[Request]], grouping: Grouping) -> GroupRequest:
    """What one submission of ``group`` asks Slurm for: its jobs, level by
    level (a level's jobs could run at once; each level after the one
    before), packed as Snakemake packs them (module docstring). The
    partition, account and cluster are the first job's (Snakemake requires
    a group's jobs to agree on every text resource)."""
    cores = grouping.cores
    limits = (cores, None, grouping.limits.get("mem_mb"), grouping.limits.get("gpu"))
    widths, minutes = [], []
    for level in levels:
        jobs = [_vector(_capped(request, cores)) for request in level]
        for layer in _layers(jobs, limits):
            widths.append([_total([job[i] for job in layer], sum) for i in range(len(_WIDTHS))])
            minutes.append(_total([job[-1] for job in layer], max))
    widest = [_total([width[i] for width in widths], max) for i in range(len(_WIDTHS))]
    first = levels[0][0]
    request = replace(
        first,
        rule=group,
        threads=widest[0],
        cpus=widest[1],
        mem_mb=widest[2],
        gpus=widest[3] or 0,
        minutes=_total(minutes, sum),
    )
    return GroupRequest(group, tuple((level[0].rule, len(level)) for level in levels), request)


def _largest_first(request: Request) -> tuple:
    return tuple(value or 0 for value in _vector(request))


def group_requests(requests: Iterable[Request], grouping: Grouping) -> list[GroupRequest]:
    """The largest submission of each group at each attempt: as many jobs of
    each of its rules as ``group-components`` lets one submission take (at
    most the run's), the largest ones. The rules are the levels, in the
    order their first jobs come in ``requests`` (the order data flows)."""
    by_group: dict[tuple[str, int], dict[str, list[Request]]] = {}
    for request in requests:
        group = grouping.groups.get(request.rule)
        if group is not None:
            rules = by_group.setdefault((group, request.attempt), {})
            rules.setdefault(request.rule, []).append(request)
    submissions = []
    for (group, _), rules in by_group.items():
        components = max(1, grouping.components.get(group, 1))
        levels = [sorted(jobs, key=_largest_first, reverse=True)[:components] for jobs in rules.values()]
        submissions.append(group_request(group, levels, grouping))
    return submissions


def ungrouped(requests: Iterable[Request], grouping: Grouping) -> list[Request]:
    """The requests of the jobs submitted one by one."""
    return [request for request in requests if request.rule not in grouping.groups]
