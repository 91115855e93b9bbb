"""Stage sweep: a model's variants ranked on validation data, the best kept.

Reads each variant's training facts (its held-out accuracy) and, when
cross-validating, its fold scores; never the test set. The choice is a file
of facts (results/sweep/<model>.json) that the refit, the evaluation and the
report read.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from ascflow.files import read_json, write_json
from ascflow.models.sweep import fold_scores, rank_variants, varied_keys
from ascflow.stages.runtime import Runtime

log = logging.getLogger("ascflow")

INFO_SUFFIX = ".train.json"


@dataclass(frozen=True)
class VariantResults:
    infos: list[str]  # each variant's training facts (its held-out accuracy)
    folds: list[str] = field(default_factory=list)  # its fold scores, when cross-validating


@dataclass(frozen=True)
class Selection:
    selection: str  # results/sweep/<model>.json


@dataclass(frozen=True)
class SweepSettings:
    model: str
    #: Each training run of the model with its settings, in the sweep's
    #: order (the order that breaks ties).
    variants: dict[str, dict]
    settings_digest: str  # what the evaluated model was made with: the sweep and the choice


@dataclass(frozen=True)
class SelectVariant:
    inputs: VariantResults
    outputs: Selection
    settings: SweepSettings
    runtime: Runtime = field(default_factory=Runtime)


def select_variant_job(job: SelectVariant) -> dict:
    model_name, variants = job.settings.model, job.settings.variants
    infos = {Path(path).name.removesuffix(INFO_SUFFIX): read_json(path) for path in job.inputs.infos}
    folds = [read_json(path) for path in job.inputs.folds]
    candidates = []
    for run in variants:
        info = infos[run]
        cv_mean, cv_sd = fold_scores([row for row in folds if row["model"] == run])
        candidates.append(
            {
                "run": run,
                "settings": variants[run],
                "validation_accuracy": info["validation_accuracy"],
                "cv_mean": cv_mean,
                "cv_sd": cv_sd,
                "n_folds": sum(row["model"] == run for row in folds),
                "train_seconds": info["train_seconds"],
                "epochs_run": info["epochs_run"],
                "best_epoch": info["best_epoch"],
                "n_params": info["n_params"],
                "tree_nodes": info["tree_nodes"],
            }
        )
    parameters = varied_keys(variants)
    for candidate in candidates:
        candidate["values"] = {key: candidate["settings"].get(key) for key in parameters}
    ranked = rank_variants(candidates)
    selected = ranked[0]["run"]
    selection = {
        "model": model_name,
        "criterion": "cv" if folds else "holdout",
        "parameters": parameters,
        "variants": ranked,
        "selected": selected,
        "selected_info": infos[selected],
        "settings_digest": job.settings.settings_digest,
        "data_fingerprint": infos[selected]["data_fingerprint"],
    }
    write_json(job.outputs.selection, selection)
    log.info(
        "%s: kept %s (validation score %.4f) of %d variants",
        model_name,
        selected,
        ranked[0]["score"],
        len(ranked),
    )
    return selection
