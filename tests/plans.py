"""Plans for the plan's unit tests (tests/unit/plan/): the shipped config
with the tiny one and overrides merged in, on a laptop or a cluster."""

from __future__ import annotations

from ascflow.configuration import load_config, merge
from ascflow.plan import Machine, Plan
from support import REPO, TINY_CONFIG, paramspace_labels

SHIPPED = REPO / "config" / "config.yaml"

#: A sweep of a network and the forests, for the tests of variants.
SWEEP = {"sweep": {"cnn": {"learning_rate": [0.001, 0.01]}, "rf": {"max_features": ["sqrt", 0.3]}}}


def config(*overrides: dict) -> dict:
    """The shipped config, with the tiny one and ``overrides`` merged in."""
    base = load_config([SHIPPED, TINY_CONFIG])
    for override in overrides:
        merge(base, override)
    return base


def laptop(cores: int | None = 8, cpus: int = 2, gpus: int = 0) -> Machine:
    return Machine(cores=cores, cpus=cpus, gpus=gpus, local=True)


CLUSTER = Machine(cores=None, cpus=2, gpus=0, local=False)


def plan(*overrides: dict, machine: Machine | None = None) -> Plan:
    """The plan of the shipped config with ``overrides``, on a laptop."""
    return Plan(config(*overrides), machine or laptop(), variant_labels=paramspace_labels)


def swept(*overrides: dict) -> Plan:
    return plan(SWEEP, *overrides)
