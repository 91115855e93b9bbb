"""What a run does, decided from the config and the machine.

``workflow/rules/common.smk`` builds one :class:`Plan` when Snakemake parses
the workflow and maps its decisions to paths. The plan is a pure function of
the validated config and a :class:`Machine`, unit-tested without Snakemake
(``tests/unit/plan/``), in one module per reason to change:

* :mod:`~ascflow.plan.source`: where the data comes from (the built-in set,
  a folder of arrays, or recordings) and which files of it the jobs read;
* :mod:`~ascflow.plan.roster`: which models train (a forest per tree count,
  the networks, once per seed), as which training runs (a sweep's
  variants), on which folds, and which networks are refitted;
* :mod:`~ascflow.plan.identity`: each model's settings and their digests;
* :mod:`~ascflow.plan.needs`: each job's threads, start priority and
  resources, from :data:`RULES`, where every number stands beside its reason;
* :mod:`~ascflow.plan.prediction`: what the predict target reads and delivers;
* :mod:`~ascflow.plan.run_jobs`: every job of the run and what it delivers;
* :mod:`~ascflow.plan.graph`: what each model's job reads.

What the plan needs from the disk is read by :mod:`ascflow.plan.disk` alone.
"""

from __future__ import annotations

from collections.abc import Mapping

from ascflow.models.sweep import SweepPlan
from ascflow.plan.graph import JobGraph
from ascflow.plan.identity import Identity, canonical
from ascflow.plan.needs import CPU_SHARE_WHOLE, RULES, Machine, Needs, Scheduling
from ascflow.plan.outputs import SUMMARY, Job, Output, output
from ascflow.plan.prediction import Prediction
from ascflow.plan.roster import Roster
from ascflow.plan.source import AUDIO_DATA_DIR, DEFAULT_DATA_DIR, EXAMPLE_AUDIO_DIR, DataSource

__all__ = [
    "AUDIO_DATA_DIR",
    "CPU_SHARE_WHOLE",
    "DEFAULT_DATA_DIR",
    "EXAMPLE_AUDIO_DIR",
    "RULES",
    "SUMMARY",
    "Job",
    "Machine",
    "Needs",
    "Output",
    "Plan",
    "canonical",
    "output",
    "prepare_config",
]


def prepare_config(config: dict, schema: Mapping) -> None:
    """Check ``config`` against its schema in one sentence, with nested
    overrides (``--config 'cnn={epochs: 2}'``, which arrive as text) and the
    sweep's values typed by it; the sweep must name keys and values its
    families take."""
    from ascflow.configuration import check_config, coerce_to_schema
    from ascflow.models.sweep import check_sweep, typed_sweep

    coerce_to_schema(config, schema)
    check_config(config, schema)
    config["sweep"] = typed_sweep(config.get("sweep", {}), schema)
    check_sweep(config["sweep"], schema, config.get("validation", {}).get("mode", "holdout"))


class Plan:
    """The decisions of one run; ``config`` is validated, with defaults.
    Each concern is a part of its own, which the rule files name:
    ``PLAN.roster.models``, ``PLAN.identity.settings``, ``PLAN.scheduling.threads``.

    ``variant_labels`` names a sweep's variants from their values (rows of a
    table, one column per swept key): common.smk gives Snakemake's
    ``Paramspace`` naming, so that a variant reads the same in paths, tables
    and figures."""

    def __init__(self, config: Mapping, machine: Machine, variant_labels=None):
        self.config = config
        self.data = DataSource(config)
        self.roster = Roster(config, SweepPlan(config["sweep"], variant_labels))
        self.identity = Identity(config, self.roster)
        self.scheduling = Scheduling(config, machine, self.roster)
        self.prediction = Prediction(config, self.data, self.roster)
        self.graph = JobGraph(config, self.data, self.roster, self.prediction)

    def cluster_requests(self, entries, attempts: int, chooses_partitions: bool) -> list:
        """What each attempt of every job a cluster runs asks Slurm for
        (Scheduling.cluster_requests over the graph's jobs)."""
        return self.scheduling.cluster_requests(self.graph.jobs(), entries, attempts, chooses_partitions)
