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


@dataclass(frozen=True)
class FigureOutput:
    """One figure file: what it shows, and for which model run if any."""

    path: str
    kind: str  # accuracy, per_class_recall, significance, training or confusion
    model: str | None = None

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
        }[self.kind]

    @property
    def labels(self) -> dict[str, str]:
        """The columns that tell figures of one category apart in the HTML report."""
        if self.model is None:
            return {"figure": self.category.lower()}
        return {"model": self.model, "figure": self.category.lower()}


def network_names(model_names: list[str]) -> list[str]:
    """The model runs that are networks, which have training histories."""
    return [name for name in model_names if parse_model_name(name).family in NETWORK_FAMILIES]


def figure_outputs(model_names: list[str], directory: str = "reports/figures") -> dict[str, FigureOutput]:
    """Every figure a run draws, by key (the file name's stem)."""
    figures = [
        FigureOutput(f"{directory}/{ACCURACY}.png", ACCURACY),
        FigureOutput(f"{directory}/{PER_CLASS_RECALL}.png", PER_CLASS_RECALL),
        FigureOutput(f"{directory}/{SIGNIFICANCE}.png", SIGNIFICANCE),
    ]
    figures += [
        FigureOutput(f"{directory}/{TRAINING}_{name}.png", TRAINING, name)
        for name in network_names(model_names)
    ]
    figures += [FigureOutput(f"{directory}/{CONFUSION}_{name}.png", CONFUSION, name) for name in model_names]
    return {figure.key: figure for figure in figures}
