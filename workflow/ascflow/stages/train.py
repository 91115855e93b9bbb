"""Stage train: a random forest, or a CNN or LSTM, from the training features;
and each model on the folds of the training set when cross-validating.

Each function is one job of ``workflow/rules/train.smk``: paths and the
rule's params in, the model and its ``.train.json`` facts out. Only
``validation.mode: test`` (the reference's flawed choice) lets training read
the test set; cross-validation never does.
"""

from __future__ import annotations

import logging

import numpy as np

from ascflow.errors import AscflowError
from ascflow.files import atomic_path, file_digest, read_json, write_json
from ascflow.models.history import write_history
from ascflow.models.naming import parse_model_name
from ascflow.models.settings import network_settings
from ascflow.models.splits import cv_folds, holdout_split, is_grouped
from ascflow.stages.runtime import usable_threads

log = logging.getLogger("ascflow")


def load_features(path: str) -> np.ndarray:
    """Memory-map a feature file written by ``make_features``."""
    return np.load(path, mmap_mode="r", allow_pickle=False)


def provenance(summary_path: str, settings_digest: str, model_path: str) -> dict:
    """What a trained model belongs to: the data it was trained on, the
    settings it was made with, and its own bytes (checked at evaluation)."""
    return {
        "data_fingerprint": read_json(summary_path)["fingerprint"],
        "settings_digest": settings_digest,
        "model_sha256": file_digest(model_path),
    }


def split_groups(groups: np.ndarray, validation: dict) -> np.ndarray | None:
    """The groups the splits keep together: none when the config asks for a
    clip-level split (validation.grouped: false), to measure its optimism."""
    return groups if validation.get("grouped", True) else None


def split_kind(groups: np.ndarray | None) -> str:
    return "grouped" if is_grouped(groups) else "clip-level"


def _fit_forest(features, labels, settings: dict, seed: int, threads: int):
    from ascflow.models.forest import train_forest

    return train_forest(features, labels, **settings, seed=seed, n_jobs=usable_threads(threads))


def fit_forest_job(
    features_path: str,
    labels_path: str,
    summary_path: str,
    model_path: str,
    info_path: str,
    settings: dict,
    seed: int,
    threads: int,
    standardize: str,
    settings_digest: str,
) -> dict:
    """``settings``: n_estimators, max_features, min_samples_leaf."""
    import joblib

    forest, info = _fit_forest(load_features(features_path), np.load(labels_path), settings, seed, threads)
    log.info(
        "%d trees, %d nodes, %.1f s", settings["n_estimators"], info["tree_nodes"], info["train_seconds"]
    )
    with atomic_path(model_path) as partial:
        joblib.dump(forest, partial)
    info.update(
        seed=seed,
        validation=None,
        validation_fraction=None,
        split=None,
        validation_accuracy=None,
        standardize=standardize,
        settings=settings,
        device="CPU",
        device_name=None,
        **provenance(summary_path, settings_digest, model_path),
    )
    write_json(info_path, info)
    return info


def _fit_network(
    model_name: str, settings: dict, n_classes: int, train, held_out, work_dir, tensorboard_dir=None
):
    """Build, check and fit one network on (features, labels) pairs."""
    from ascflow.models.keras_build import build_model
    from ascflow.models.keras_check import compare_with_keras
    from ascflow.models.network import train_network

    network = network_settings(parse_model_name(model_name).family, settings)
    spec = network.spec(train[0].shape[1:], n_classes)
    log.info(
        "%s: %s, %d training and %d validation clips",
        model_name,
        spec.description,
        train[1].size,
        held_out[1].size,
    )
    model = build_model(spec)
    # The trained model itself must match its closed form; its per-layer
    # counts are the report's Keras column.
    layer_params = {row["layer"]: row["params_keras"] for row in compare_with_keras(spec, model)}
    model, rows, info = train_network(
        model, train, held_out, n_classes, network.fitting, work_dir, log, tensorboard_dir
    )
    info["layer_params"] = layer_params
    return model, rows, info, network


def fit_network_job(
    model_name: str,
    features_path: str,
    labels_path: str,
    groups_path: str,
    summary_path: str,
    model_path: str,
    history_path: str,
    info_path: str,
    settings: dict,
    validation: dict,
    seed: int,
    threads: int,
    work_dir: str,
    standardize: str,
    settings_digest: str,
    gpu="auto",
    tensorboard_dir: str | None = None,
    test_features_path: str | None = None,
    test_labels_path: str | None = None,
) -> dict:
    """Train a CNN or LSTM. ``settings`` is the family's config section;
    ``gpu`` the config's choice of device (auto, true, false). The held-out
    part keeps each group (recording) on one side where the data has groups."""
    from ascflow.models.network import configure_tensorflow

    device, device_name = configure_tensorflow(usable_threads(threads), seed, gpu)
    log.info("on %s", device_name or device)
    n_classes = read_json(summary_path)["n_classes"]
    features, labels = load_features(features_path), np.load(labels_path)
    groups = split_groups(np.load(groups_path), validation)
    if validation["mode"] == "holdout":
        train_index, validation_index = holdout_split(labels, validation["fraction"], seed, groups)
        train = (features[train_index], labels[train_index])
        held_out = (features[validation_index], labels[validation_index])
    elif validation["mode"] == "test":
        if not (test_features_path and test_labels_path):
            raise AscflowError("validation.mode: 'test' needs the test features, which were not given.")
        train = (np.asarray(features), labels)
        held_out = (load_features(test_features_path), np.load(test_labels_path))
    else:
        raise AscflowError(f"validation.mode: unknown mode {validation['mode']!r}; expected holdout or test.")
    # Unmap the feature file: with a held-out split, training reads the copies
    # above, and the map's pages (the whole file, 361 MB at the reference
    # size) would otherwise count in this job's memory for the whole fit.
    del features
    model, rows, info, network = _fit_network(
        model_name, settings, n_classes, train, held_out, work_dir, tensorboard_dir
    )
    with atomic_path(model_path) as partial:
        model.save(partial)
    history = {row["epoch"]: row for row in rows}
    write_history(history_path, history)
    holdout = validation["mode"] == "holdout"
    info.update(
        seed=seed,
        validation=validation["mode"],
        validation_fraction=validation["fraction"] if holdout else None,
        split=split_kind(groups) if holdout else None,
        # The weights kept are those of best_epoch (with early stopping) or
        # of the last epoch: their accuracy on the validation part.
        validation_accuracy=history[info["best_epoch"]]["val_accuracy"],
        standardize=standardize,
        settings=network.to_config(),
        device=device,
        device_name=device_name,
        **provenance(summary_path, settings_digest, model_path),
    )
    write_json(info_path, info)
    return info


def _class_probabilities(forest, features, n_classes: int) -> np.ndarray:
    """A forest's probabilities with a column for every class, also those its
    fold of the training set lacked."""
    probabilities = np.zeros((features.shape[0], n_classes), dtype=np.float32)
    probabilities[:, forest.classes_] = forest.predict_proba(features)
    return probabilities


def fit_fold_job(
    model_name: str,
    fold: int,
    n_folds: int,
    features_path: str,
    labels_path: str,
    groups_path: str,
    summary_path: str,
    fold_path: str,
    settings: dict,
    validation: dict,
    seed: int,
    threads: int,
    work_dir: str,
    gpu="auto",
) -> dict:
    """Train ``model_name`` on every fold of the training set but ``fold``
    (1-based) and score it on that one; write the fold's facts."""
    from ascflow.evaluation import classification_metrics

    name = parse_model_name(model_name)
    n_classes = read_json(summary_path)["n_classes"]
    labels = np.load(labels_path)
    groups = split_groups(np.load(groups_path), validation)
    train_index, held_index = cv_folds(labels, n_folds, seed, groups)[fold - 1]
    features = load_features(features_path)
    train = (features[train_index], labels[train_index])
    held = features[held_index]
    del features
    if name.family == "rf":
        forest, _ = _fit_forest(*train, settings, seed, threads)
        probabilities = _class_probabilities(forest, held, n_classes)
    else:
        from ascflow.models.network import configure_tensorflow, predict

        configure_tensorflow(usable_threads(threads), seed, gpu)
        fold_groups = None if groups is None else groups[train_index]
        inner_train, inner_validation = holdout_split(train[1], validation["fraction"], seed, fold_groups)
        model, rows, info, _ = _fit_network(
            model_name,
            settings,
            n_classes,
            (train[0][inner_train], train[1][inner_train]),
            (train[0][inner_validation], train[1][inner_validation]),
            work_dir,
        )
        probabilities = predict(model, held)
    scores = classification_metrics(labels[held_index], probabilities)
    facts = {
        "model": model_name,
        "base_model": name.base,
        "family": name.family,
        "seed": seed,
        "fold": fold,
        "n_folds": n_folds,
        "split": split_kind(groups),
        "n_train": int(train_index.size),
        "n_held_out": int(held_index.size),
        **{key: scores[key] for key in ("accuracy", "macro_f1", "ci95_low", "ci95_high", "log_loss")},
    }
    log.info("%s, fold %d of %d: accuracy %.4f", model_name, fold, n_folds, facts["accuracy"])
    write_json(fold_path, facts)
    return facts
