"""Stage train: a random forest, or a CNN or LSTM, from the training features.

Each function is one job of ``workflow/rules/train.smk``: paths and the
rule's params in, the model and its ``.train.json`` facts out. Only
``validation.mode: test`` (the reference's flawed choice) lets training read
the test set.
"""

from __future__ import annotations

import logging

import numpy as np

from ascflow.errors import AscflowError
from ascflow.files import atomic_path, file_digest, read_json, write_json
from ascflow.models.history import write_history
from ascflow.models.naming import parse_model_name
from ascflow.models.settings import network_settings
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

    from ascflow.models.forest import train_forest

    features, labels = load_features(features_path), np.load(labels_path)
    forest, info = train_forest(features, labels, **settings, seed=seed, n_jobs=usable_threads(threads))
    log.info(
        "%d trees, %d nodes, %.1f s", settings["n_estimators"], info["tree_nodes"], info["train_seconds"]
    )
    with atomic_path(model_path) as partial:
        joblib.dump(forest, partial)
    info.update(
        seed=seed,
        validation=None,
        validation_fraction=None,
        standardize=standardize,
        settings=settings,
        device="CPU",
        device_name=None,
        **provenance(summary_path, settings_digest, model_path),
    )
    write_json(info_path, info)
    return info


def _validation_data(labels, features, validation: dict, seed: int, test_features_path, test_labels_path):
    """(training, held-out) pairs of features and labels."""
    from ascflow.models.network import holdout_split

    if validation["mode"] == "holdout":
        train_index, validation_index = holdout_split(labels, validation["fraction"], seed)
        return (features[train_index], labels[train_index]), (
            features[validation_index],
            labels[validation_index],
        )
    if validation["mode"] == "test":
        if not (test_features_path and test_labels_path):
            raise AscflowError("validation.mode: 'test' needs the test features, which were not given.")
        return (np.asarray(features), labels), (load_features(test_features_path), np.load(test_labels_path))
    raise AscflowError(f"validation.mode: unknown mode {validation['mode']!r}; expected holdout or test.")


def fit_network_job(
    model_name: str,
    features_path: str,
    labels_path: str,
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
    ``gpu`` the config's choice of device (auto, true, false)."""
    from ascflow.models.network import configure_tensorflow, train_network

    device, device_name = configure_tensorflow(usable_threads(threads), seed, gpu)
    from ascflow.models.keras_build import build_model
    from ascflow.models.keras_check import compare_with_keras

    network = network_settings(parse_model_name(model_name).family, settings)
    n_classes = read_json(summary_path)["n_classes"]
    features, labels = load_features(features_path), np.load(labels_path)
    spec = network.spec(features.shape[1:], n_classes)
    train, held_out = _validation_data(
        labels, features, validation, seed, test_features_path, test_labels_path
    )
    # Unmap the feature file: with a held-out split, training reads the copies
    # above, and the map's pages (the whole file, 361 MB at the reference
    # size) would otherwise count in this job's memory for the whole fit.
    del features
    log.info(
        "%s: %s, %d training and %d validation clips (%s), on %s",
        model_name,
        spec.description,
        train[1].size,
        held_out[1].size,
        validation["mode"],
        device_name or device,
    )
    model = build_model(spec)
    compare_with_keras(spec, model)  # the trained model itself must match its closed form
    model, rows, info = train_network(
        model, train, held_out, n_classes, network.fitting, work_dir, log, tensorboard_dir
    )
    with atomic_path(model_path) as partial:
        model.save(partial)
    write_history(history_path, {row["epoch"]: row for row in rows})
    info.update(
        seed=seed,
        validation=validation["mode"],
        validation_fraction=validation["fraction"] if validation["mode"] == "holdout" else None,
        standardize=standardize,
        settings=network.to_config(),
        device=device,
        device_name=device_name,
        **provenance(summary_path, settings_digest, model_path),
    )
    write_json(info_path, info)
    return info
