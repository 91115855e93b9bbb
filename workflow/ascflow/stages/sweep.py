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


# ---- the refit's epochs: the held-out part's curve, or the folds' mean -------


@dataclass(frozen=True)
class EpochInputs:
    #: What validation chose: select_variant's choice, or the model's one
    #: training run's facts (the refit's ``chosen`` otherwise).
    chosen: str
    folds: list[str]  # every fold of the model's runs, with their curves
    labels: str  # the training labels and groups: the held-out part's size
    groups: str


@dataclass(frozen=True)
class EpochChoice:
    choice: str  # results/cv/<model>/epochs.json


@dataclass(frozen=True)
class EpochSettings:
    model: str
    seed: int
    validation: dict  # the held-out split (its fraction and grouping)
    choose_epochs_on: str = "auto"
    min_holdout_clips: int = 100


@dataclass(frozen=True)
class ChooseEpochs:
    inputs: EpochInputs
    outputs: EpochChoice
    settings: EpochSettings
    runtime: Runtime = field(default_factory=Runtime)


def choose_epochs_job(job: ChooseEpochs) -> dict:
    """The epochs the refit trains: the held-out part's best epoch, or, where
    cv.choose_epochs_on asks for the folds (``auto``: below
    ``min_holdout_clips`` held-out clips), the best epoch of the mean
    validation curve over the cv folds of the run validation chose. Writes
    the chosen facts in the form the refit reads, with the choice's basis and
    uncertainty; never reads the test set."""
    import numpy as np

    from ascflow.models.history import choice_basis, choose_epoch_on_folds
    from ascflow.models.splits import holdout_split
    from ascflow.stages.train import chosen_run, refit_epochs, split_groups

    settings = job.settings
    chosen = read_json(job.inputs.chosen)
    run, info = chosen_run(chosen, settings.model)
    labels = np.load(job.inputs.labels)
    groups = split_groups(np.load(job.inputs.groups), settings.validation)
    held_out = holdout_split(labels, settings.validation["fraction"], settings.seed, groups)[1].size
    folds = [
        facts for facts in map(read_json, job.inputs.folds) if facts["model"] == run and "curve" in facts
    ]
    basis = choice_basis(settings.choose_epochs_on, held_out, bool(folds), settings.min_holdout_clips)
    choice = {
        "model": settings.model,
        "run": run,
        "mode": settings.choose_epochs_on,
        "min_holdout_clips": settings.min_holdout_clips,
        "holdout_clips": int(held_out),
    }
    holdout_epoch = refit_epochs(info)
    if basis == "folds":
        curves = [{row["epoch"]: row for row in facts["curve"]} for facts in folds]
        choice |= choose_epoch_on_folds(curves)
    else:
        choice |= {"basis": "holdout", "epoch": holdout_epoch}
    choice["holdout_epoch"] = holdout_epoch
    info = {**info, "best_epoch": choice["epoch"], "epoch_choice": choice}
    written = {**chosen, "selected_info": info} if "selected" in chosen else info
    write_json(job.outputs.choice, {**written, "epoch_choice": choice})
    log.info(
        "%s: %d epochs, chosen on the %s (%d held-out clips; the held-out part's own best: %s)",
        settings.model,
        choice["epoch"],
        "mean curve over the folds" if basis == "folds" else "held-out part",
        held_out,
        holdout_epoch,
    )
    return choice
