"""Stage cross-validation: each model on the folds of the training set.

One function per job of ``workflow/rules/train.smk``'s ``cross_validate``:
a model trained on every fold of the training set but one and scored on that
one, with the same fits as the training jobs (:mod:`ascflow.stages.train`).
The fold scores rank a sweep's variants and are reported beside the test
set's; the test set is never read.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace

import numpy as np

from ascflow.features import from_layout, standardize_clips, to_layout
from ascflow.files import read_json, write_json
from ascflow.models.naming import FAMILY_LAYOUT, parse_model_name
from ascflow.models.splits import cv_folds, holdout_split
from ascflow.stages.runtime import Runtime
from ascflow.stages.train import (
    TrainingInputs,
    TrainingSettings,
    class_probabilities,
    fit_forest,
    fit_network,
    load_features,
    split_groups,
    split_kind,
)

log = logging.getLogger("ascflow")


def standardized_fold(train, held, layout: str, summary: dict, time_major: str):
    """A fold's training and held-out features standardized per band with the
    statistics of the fold's training part alone. The features come
    standardized with the whole training set's statistics, an affine map per
    band, so standardizing them again by the fold's own statistics gives what
    standardizing the raw clips by those would."""
    from ascflow.data.validation import band_statistics

    shape = (summary["n_features"], summary["n_frames"])
    mean, std = band_statistics(from_layout(train, layout, *shape, time_major))
    return tuple(
        to_layout(
            standardize_clips(from_layout(part, layout, *shape, time_major), mean, std), layout, time_major
        )
        for part in (train, held)
    )


@dataclass(frozen=True)
class FoldFile:
    fold: str


@dataclass(frozen=True)
class FoldSettings(TrainingSettings):
    fold: int = 1  # 1-based
    n_folds: int = 2
    #: How the LSTM's layout views a clip, to standardize its fold.
    time_major: str = "transpose"
    #: A network's fold curve, for choosing the refit's epochs on the mean
    #: over the folds (cv.choose_epochs_on): it trains every epoch (no early
    #: stopping), validated on its held-out fold after each.
    curves: bool = False


@dataclass(frozen=True)
class CrossValidate:
    inputs: TrainingInputs
    outputs: FoldFile
    settings: FoldSettings
    runtime: Runtime = field(default_factory=Runtime)


def _fold_curve(job: CrossValidate, train, held, n_classes: int):
    """A network trained on the fold's training part for every epoch (no
    early stopping), validated on the held-out fold after each: the model of
    the last epoch and the fold's validation curve (epoch, accuracy, loss)."""
    settings = job.settings
    network = settings.settings
    network = replace(network, fitting=replace(network.fitting, early_stopping_patience=0))
    model, rows, _ = fit_network(settings.model, network, n_classes, train, held, settings.work_dir)
    curve = [{key: row[key] for key in ("epoch", "val_accuracy", "val_loss")} for row in rows]
    return model, curve


def fit_fold_job(job: CrossValidate) -> dict:
    """Train the model on every fold of the training set but ``fold`` and
    score it on that one; write the fold's facts. With ``standardize:
    per_band`` each fold is standardized with the statistics of its own
    training part."""
    from ascflow.evaluation import classification_metrics

    settings, model_name = job.settings, job.settings.model
    name = parse_model_name(model_name)
    summary = read_json(job.inputs.summary)
    n_classes = summary["n_classes"]
    labels = np.load(job.inputs.labels)
    groups = split_groups(np.load(job.inputs.groups), settings.validation)
    train_index, held_index = cv_folds(labels, settings.n_folds, settings.seed, groups)[settings.fold - 1]
    features = load_features(job.inputs.features)
    train, held = features[train_index], features[held_index]
    del features
    if settings.standardize == "per_band":
        layout = FAMILY_LAYOUT[name.family]
        train, held = standardized_fold(train, held, layout, summary, settings.time_major)
    train = (train, labels[train_index])
    if name.family == "rf":
        forest, _ = fit_forest(*train, settings.settings, settings.seed, job.runtime.threads)
        probabilities = class_probabilities(forest, held, n_classes)
    else:
        from ascflow.models.network import configure_tensorflow, predict

        configure_tensorflow(job.runtime.threads, settings.seed, settings.gpu)
        if settings.curves:
            model, curve = _fold_curve(job, train, (held, labels[held_index]), n_classes)
        else:
            fold_groups = None if groups is None else groups[train_index]
            inner_train, inner_validation = holdout_split(
                train[1], settings.validation["fraction"], settings.seed, fold_groups
            )
            model, _, _ = fit_network(
                model_name,
                settings.settings,
                n_classes,
                (train[0][inner_train], train[1][inner_train]),
                (train[0][inner_validation], train[1][inner_validation]),
                settings.work_dir,
            )
        probabilities = predict(model, held)
    scores = classification_metrics(labels[held_index], probabilities)
    facts = {
        "model": model_name,
        "base_model": name.base,
        "family": name.family,
        "variant_of": name.model,
        "seed": settings.seed,
        "fold": settings.fold,
        "n_folds": settings.n_folds,
        "split": split_kind(groups),
        "n_train": int(train_index.size),
        "n_held_out": int(held_index.size),
        **{key: scores[key] for key in ("accuracy", "macro_f1", "ci95_low", "ci95_high", "log_loss")},
    }
    if name.family != "rf" and settings.curves:
        facts["curve"] = curve
    log.info(
        "%s, fold %d of %d: accuracy %.4f", model_name, settings.fold, settings.n_folds, facts["accuracy"]
    )
    write_json(job.outputs.fold, facts)
    return facts
