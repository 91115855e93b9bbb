"""Stage refuse: a target that names a model this config does not hold
(``results/metrics/rf_20.json``) ends the run in one sentence that says what
the config holds, instead of Snakemake's "No rule to produce"."""

from __future__ import annotations

from dataclasses import dataclass, field

from ascflow.errors import AscflowError
from ascflow.stages.runtime import Runtime


@dataclass(frozen=True)
class NoFiles:
    """The refusal reads and writes nothing."""


@dataclass(frozen=True)
class Refusal:
    sentence: str  # the plan's words about the model it names


@dataclass(frozen=True)
class RefuseUnknownModel:
    inputs: NoFiles
    outputs: NoFiles
    settings: Refusal
    runtime: Runtime = field(default_factory=Runtime)


def refuse_unknown_model(job: RefuseUnknownModel) -> None:
    raise AscflowError(job.settings.sentence)
