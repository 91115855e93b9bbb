"""One function per training or evaluation job, called by the rule scripts.

Each takes plain paths and values (what the rule's input, output and params
hold), so that a test can run a whole job without Snakemake.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import numpy as np

from ascflow.errors import AscflowError
from ascflow.evaluate import classification_metrics
from ascflow.models.naming import parse_model_name
from ascflow.runner import write_json_atomic

log = logging.getLogger("ascflow")

#: Clips per prediction batch. A batch's activations are the job's peak
#: memory: the CNN's first layer alone holds 36 x 497 x 32 floats per clip
#: (2.3 MB), so 256 clips took the evaluation to 2.0 GB at the reference size
#: and 64 take it to 1.3 GB, at the same speed (docs/performance.md).
PREDICT_BATCH_SIZE = 64


def usable_threads(declared: int) -> int:
    """The rule's threads, but never more than the CPUs this process may use
    (``--cores 8`` on a two-core machine must not run eight threads a job)."""
    return max(1, min(declared, len(os.sched_getaffinity(0))))


def read_json(path: str | Path) -> dict:
    return json.loads(Path(path).read_text())


def load_features(path: str | Path) -> np.ndarray:
    """Memory-map a feature file written by ``make_features``."""
    return np.load(path, mmap_mode="r", allow_pickle=False)


def flags_for(validation_mode: str | None, time_major: str | None, early_stopping: bool) -> list[str]:
    """Sentences naming the reference-faithful (and flawed) options in force."""
    flags = []
    if validation_mode == "test":
        flags.append(
            f"validated {'and early-stopped ' if early_stopping else ''}on the test set, "
            "the reference's choice: its test accuracy is biased upward"
        )
    if time_major == "reshape":
        flags.append("time-major input built by reshape, the reference's bug: bands and frames are scrambled")
    return flags


def fit_forest_job(
    features_path: str,
    labels_path: str,
    model_path: str,
    info_path: str,
    n_estimators: int,
    max_features: str,
    min_samples_leaf: int,
    seed: int,
    threads: int,
    standardize: str,
) -> dict:
    import joblib

    from ascflow.models.forest import train_forest

    features, labels = load_features(features_path), np.load(labels_path)
    forest, info = train_forest(
        features, labels, n_estimators, max_features, min_samples_leaf, seed, usable_threads(threads)
    )
    log.info("%d trees, %d nodes, %.1f s", n_estimators, info["tree_nodes"], info["train_seconds"])
    joblib.dump(forest, model_path)
    info.update(
        seed=seed,
        validation=None,
        time_major=None,
        standardize=standardize,
        hyperparameters={
            "n_estimators": n_estimators,
            "max_features": max_features,
            "min_samples_leaf": min_samples_leaf,
        },
    )
    write_json_atomic(info_path, info)
    return info


def network_spec(family: str, input_shape: tuple[int, ...], n_classes: int, architecture: dict):
    """The spec of a configured network for inputs of ``input_shape``."""
    from ascflow.models.specs import check_input_fits, cnn_spec, lstm_spec

    if family == "cnn":
        spec = cnn_spec(input_shape, n_classes, architecture["conv_layers"], architecture["pool_size"])
    elif family == "lstm":
        spec = lstm_spec(input_shape, n_classes, architecture["units"], architecture["kernel_initializer"])
    else:
        raise ValueError(f"not a network family: {family}")
    check_input_fits(spec)
    return spec


def fit_network_job(
    model_name: str,
    features_path: str,
    labels_path: str,
    summary_path: str,
    model_path: str,
    history_path: str,
    info_path: str,
    hyperparameters: dict,
    validation: dict,
    seed: int,
    threads: int,
    work_dir: str,
    standardize: str,
    test_features_path: str | None = None,
    test_labels_path: str | None = None,
) -> dict:
    """Train a CNN or LSTM. The test files are read only when
    ``validation["mode"]`` is ``"test"`` (the reference's flawed choice)."""
    from ascflow.models.network import configure_tensorflow, holdout_split, train_network, write_history

    configure_tensorflow(usable_threads(threads), seed)
    from ascflow.models.keras_build import build_model
    from ascflow.param_check import compare_with_keras

    family = parse_model_name(model_name).family
    n_classes = read_json(summary_path)["n_classes"]
    features, labels = load_features(features_path), np.load(labels_path)
    spec = network_spec(family, features.shape[1:], n_classes, hyperparameters)
    if validation["mode"] == "holdout":
        train_index, validation_index = holdout_split(labels, validation["fraction"], seed)
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
    log.info(
        "%s: %s, %d training and %d validation clips (%s)",
        model_name,
        spec.description or family,
        train[1].size,
        held_out[1].size,
        validation["mode"],
    )
    model = build_model(spec)
    compare_with_keras(spec, model)  # the trained model itself must match its closed form
    model, rows, info = train_network(
        model,
        train,
        held_out,
        n_classes,
        epochs=hyperparameters["epochs"],
        batch_size=hyperparameters["batch_size"],
        learning_rate=hyperparameters["learning_rate"],
        patience=hyperparameters.get("early_stopping_patience", 0),
        work_dir=work_dir,
        logger=log,
    )
    model.save(model_path)
    write_history(Path(history_path), {row["epoch"]: row for row in rows})
    info.update(
        seed=seed,
        validation=validation["mode"],
        validation_fraction=validation["fraction"] if validation["mode"] == "holdout" else None,
        time_major=hyperparameters.get("time_major"),  # the LSTM's section only
        standardize=standardize,
        hyperparameters=hyperparameters,
    )
    write_json_atomic(info_path, info)
    return info


def predict_probabilities(model_path: str, family: str, features: np.ndarray) -> np.ndarray:
    if family == "rf":
        import joblib

        return joblib.load(model_path).predict_proba(features)
    import keras

    # No optimizer is needed to predict, so the model is not compiled.
    model = keras.models.load_model(model_path, compile=False)
    return model.predict(features, batch_size=PREDICT_BATCH_SIZE, verbose=0)


def evaluate_job(
    model_name: str,
    model_path: str,
    info_path: str,
    features_path: str,
    labels_path: str,
    summary_path: str,
    metrics_path: str,
    probabilities_path: str,
    threads: int,
) -> dict:
    """Score a trained model once on the test set and write its metrics."""
    name = parse_model_name(model_name)
    if name.family != "rf":
        from ascflow.models.network import configure_tensorflow

        configure_tensorflow(usable_threads(threads), seed=0)
    summary, info = read_json(summary_path), read_json(info_path)
    probabilities = predict_probabilities(model_path, name.family, load_features(features_path))
    probabilities = probabilities.astype(np.float32)
    metrics = {
        "model": model_name,
        "base_model": name.base,
        "family": name.family,
        "seed": info["seed"],
        **classification_metrics(np.load(labels_path), probabilities),
        "class_names": summary["class_names"],
        **{key: info[key] for key in ("train_seconds", "epochs_run", "best_epoch", "n_params", "tree_nodes")},
        **{key: info[key] for key in ("validation", "time_major", "standardize", "hyperparameters")},
        "flags": flags_for(
            info["validation"],
            info["time_major"],
            early_stopping=bool(info["hyperparameters"].get("early_stopping_patience")),
        ),
    }
    np.save(probabilities_path, probabilities)
    write_json_atomic(metrics_path, metrics)
    log.info(
        "%s: accuracy %.4f [%.4f, %.4f]",
        model_name,
        *(metrics[k] for k in ("accuracy", "ci95_low", "ci95_high")),
    )
    return metrics
