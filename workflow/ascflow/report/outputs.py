"""The names of the figure files, shared by the rules and the scripts.

The report rules import this module when Snakemake parses the workflow, so it
imports nothing heavy: the Snakefile stays quick to load.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ascflow.models.naming import NETWORK_FAMILIES, parse_model_name

ACCURACY = "accuracy"
PER_CLASS_RECALL = "per_class_recall"
TRAINING = "training"
CONFUSION = "confusion"
SIGNIFICANCE = "significance"
SWEEP = "sweep"
HISTORY = "history"


@dataclass(frozen=True)
class FigureOutput:
    """One figure file: what it shows, and for which model run if any."""

    path: str
    kind: str  # accuracy, per_class_recall, significance, history, training, confusion or sweep
    model: str | None = None  # a model, or one of its training runs
    #: Whether variant labels tell this category's figures apart (a sweep is configured).
    variants: bool = False

    @property
    def key(self) -> str:
        return Path(self.path).stem

    @property
    def category(self) -> str:
        """The group in Snakemake's HTML report."""
        return {
            ACCURACY: "Accuracy",
            PER_CLASS_RECALL: "Per-class recall",
            TRAINING: "Training curves",
            CONFUSION: "Confusion matrices",
            SIGNIFICANCE: "Model comparison",
            SWEEP: "Sweeps",
            HISTORY: "Earlier runs",
        }[self.kind]

    @property
    def labels(self) -> dict[str, str]:
        """The columns that tell figures of one category apart in the HTML report."""
        if self.model is None:
            return {"figure": self.category.lower()}
        if not self.variants:
            return {"model": self.model, "figure": self.category.lower()}
        name = parse_model_name(self.model)
        return {"model": name.model, "variant": name.variant or "-", "figure": self.category.lower()}


#: The figures' file names: one per kind, or the kind and a model run.
_SINGLE = (ACCURACY, PER_CLASS_RECALL, SIGNIFICANCE, HISTORY)
_PER_RUN = (TRAINING, CONFUSION, SWEEP)


def is_figure_name(name: str) -> bool:
    """Whether a file name is one :func:`figure_outputs` could give a figure
    (``confusion_rf_50.png``), whatever the models: a figure of another run."""
    stem, dot, extension = name.rpartition(".")
    if not dot or extension != "png":
        return False
    return stem in _SINGLE or any(
        stem.startswith(f"{kind}_") and len(stem) > len(kind) + 1 for kind in _PER_RUN
    )


def network_names(model_names: list[str]) -> list[str]:
    """The model runs that are networks, which have training histories."""
    return [name for name in model_names if parse_model_name(name).family in NETWORK_FAMILIES]


def figure_outputs(
    model_names: list[str],
    directory: str = "reports/figures",
    *,
    training_runs: list[str] | None = None,
    swept_models: list[str] = (),
    history: bool = False,
) -> dict[str, FigureOutput]:
    """Every figure a run draws, by key (the file name's stem): training
    curves per network training run (``training_runs``: every sweep
    variant; the models themselves by default), a sweep figure per swept
    model, and with ``history`` the accuracies over the recorded runs."""
    runs = model_names if training_runs is None else training_runs
    variants = bool(swept_models)
    figures = [
        FigureOutput(f"{directory}/{ACCURACY}.png", ACCURACY),
        FigureOutput(f"{directory}/{PER_CLASS_RECALL}.png", PER_CLASS_RECALL),
        FigureOutput(f"{directory}/{SIGNIFICANCE}.png", SIGNIFICANCE),
    ]
    if history:
        figures.append(FigureOutput(f"{directory}/{HISTORY}.png", HISTORY))
    figures += [
        FigureOutput(f"{directory}/{TRAINING}_{name}.png", TRAINING, name, variants)
        for name in network_names(runs)
    ]
    figures += [
        FigureOutput(f"{directory}/{CONFUSION}_{name}.png", CONFUSION, name, variants) for name in model_names
    ]
    figures += [
        FigureOutput(f"{directory}/{SWEEP}_{name}.png", SWEEP, name, variants) for name in swept_models
    ]
    return {figure.key: figure for figure in figures}
