"""The workflow's five trainings as one plain script, the benchmark's baseline.

Written the way the reference study was: one Python process loads the four
``.npy`` files, fits the three forests on flattened clips, then the CNN and the
LSTM, and predicts the test set (each network also as the workflow exports
and scores it: int8 LiteRT and ONNX), with no Snakemake, no intermediate files, no
resumable checkpoints and one TensorFlow import. It does the same work as a
default run of the workflow (same standardization, held-out split, seeds,
architectures, epochs and batch sizes, read from the same config), so that
``default run / this script`` measures what the workflow's machinery costs.

Run it on its own from the repository root with ``python -m perf.plain
DATA_DIR``; it ends with one ``plain:`` line of ``key=value`` pairs that
:mod:`perf.bench` reads.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np
from ascflow.configuration import load_config
from ascflow.data.validation import band_statistics, data_paths, group_paths
from ascflow.features import standardize_clips, to_layout
from ascflow.models.naming import FAMILY_LAYOUT, NETWORK_FAMILIES
from ascflow.models.network import PREDICT_BATCH_SIZE
from ascflow.models.settings import NetworkSettings, forest_settings, network_settings
from ascflow.stages.runtime import usable_threads

from perf.line import format_line, steady_epoch_seconds
from perf.workflow import CONFIG


def load_data(data_dir: str | Path) -> dict[str, np.ndarray]:
    """The four arrays, read whole into memory as the study did, and the
    recording groups where the folder has them."""
    paths = {**data_paths(data_dir), **group_paths(data_dir)}
    return {stem: np.load(path, allow_pickle=False) for stem, path in paths.items()}


def validation_split(
    labels: np.ndarray, groups: np.ndarray | None, config: dict
) -> tuple[np.ndarray, np.ndarray]:
    """The training jobs' held-out split: recordings kept on one side unless
    the config asks for a clip-level split."""
    from ascflow.models.splits import holdout_split
    from ascflow.stages.train import split_groups

    validation = config["validation"]
    groups = None if groups is None else split_groups(groups, validation)
    return holdout_split(labels, validation["fraction"], config["seed"], groups)


def standardized(data: dict[str, np.ndarray], mode: str) -> tuple[np.ndarray, np.ndarray]:
    """Train and test clips as float32, per-band standardized with the
    training set's statistics when ``mode`` is ``per_band`` (the workflow's default)."""
    train = data["X_train"].astype(np.float32)
    test = data["X_test"].astype(np.float32)
    if mode == "per_band":
        band_mean, band_std = band_statistics(train)
        train, test = (standardize_clips(clips, band_mean, band_std) for clips in (train, test))
    return train, test


def fit_forests(
    flat_train: np.ndarray, y_train: np.ndarray, flat_test: np.ndarray, config: dict, threads: int
) -> dict[str, tuple[float, np.ndarray]]:
    """Each configured forest, fitted as train_forest jobs fit it: (fit
    seconds, test predictions), by model name."""
    from ascflow.models.forest import train_forest

    results = {}
    for trees in config["rf"]["n_estimators"]:
        settings = forest_settings(config["rf"], trees)
        forest, info = train_forest(flat_train, y_train, settings, config["seed"], threads)
        results[f"rf_{trees}"] = (info["train_seconds"], forest.predict(flat_test))
    return results


def fit_network(
    settings: NetworkSettings,
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_test: np.ndarray,
    n_classes: int,
    config: dict,
    groups_train: np.ndarray | None,
) -> tuple[float, list[float], np.ndarray]:
    """Train one network with Keras's own callbacks, as the study did, on
    the workflow's input pipeline, and (``refit``) once more on the whole
    training set for the epochs early stopping chose, as the workflow's
    refit does: (fit seconds, seconds of each epoch, test predictions)."""
    import keras
    from ascflow.models.keras_build import build_model
    from ascflow.models.network import batches, compile_network

    fitting = settings.fitting
    train_index, validation_index = validation_split(y_train, groups_train, config)
    # Seeded before each network, as each network job of the workflow is, so
    # that both start from the same weights.
    keras.utils.set_random_seed(config["seed"])
    model = build_model(settings.spec(x_train.shape[1:], n_classes))
    compile_network(model, fitting)
    epoch_seconds: list[float] = []
    epoch_started: dict[str, float] = {}
    timer = keras.callbacks.LambdaCallback(
        on_epoch_begin=lambda epoch, logs: epoch_started.update(at=time.perf_counter()),
        on_epoch_end=lambda epoch, logs: epoch_seconds.append(time.perf_counter() - epoch_started["at"]),
    )
    callbacks = [timer]
    stopping = keras.callbacks.EarlyStopping(
        monitor="val_accuracy", patience=fitting.early_stopping_patience, restore_best_weights=True
    )
    if fitting.early_stopping_patience:
        callbacks.append(stopping)
    one_hot = keras.utils.to_categorical(y_train, n_classes)
    started = time.perf_counter()
    model.fit(
        batches(x_train[train_index], one_hot[train_index], fitting.batch_size, shuffled=True),
        validation_data=batches(x_train[validation_index], one_hot[validation_index], fitting.batch_size),
        epochs=fitting.epochs,
        shuffle=False,  # batches() shuffles; Keras ignores it for datasets and warns
        verbose=0,
        callbacks=callbacks,
    )
    if config["refit"]:
        epochs = stopping.best_epoch + 1 if fitting.early_stopping_patience else len(epoch_seconds)
        keras.utils.set_random_seed(config["seed"])
        model = build_model(settings.spec(x_train.shape[1:], n_classes))
        compile_network(model, fitting)
        model.fit(
            batches(x_train, one_hot, fitting.batch_size, shuffled=True),
            epochs=epochs,
            shuffle=False,  # batches() shuffles; Keras ignores it for datasets and warns
            verbose=0,
            callbacks=[timer],
        )
    fit_seconds = time.perf_counter() - started
    predictions = model.predict(x_test, batch_size=PREDICT_BATCH_SIZE, verbose=0).argmax(axis=1)
    return fit_seconds, epoch_seconds, predictions, model


def deploy_network(model, x_train: np.ndarray, x_test: np.ndarray, config: dict) -> dict[str, np.ndarray]:
    """What the workflow's export and measure_deployed do for a network: its
    int8 LiteRT model (calibrated on the export's seeded training clips) and
    its ONNX model, each predicting the test set; the labels by runtime."""
    import tempfile

    from ascflow.models.runtimes import int8_litert, onnx_model, open_runtime
    from ascflow.stages.export import representative_rows

    rows = representative_rows(len(x_train), config["export"]["representative_clips"], config["seed"])
    representative = x_train[rows]
    labels = {}
    with tempfile.TemporaryDirectory() as folder:
        files = {"litert": Path(folder, "model_int8.tflite"), "onnx": Path(folder, "model.onnx")}
        files["litert"].write_bytes(int8_litert(model, representative)[0])
        files["onnx"].write_bytes(onnx_model(model))
        for runtime, path in files.items():
            labels[runtime] = open_runtime(path, runtime).predict(x_test).argmax(axis=1)
    return labels


def run_plain(data_dir: str | Path, config: dict, threads: int) -> dict[str, float]:
    """All five trainings and test predictions; returns the timings and accuracies."""
    from ascflow.models.network import configure_tensorflow

    started = time.perf_counter()
    data = load_data(data_dir)
    y_train, y_test = data["y_train"], data["y_test"]
    n_classes = int(np.unique(y_train).size)
    train, test = standardized(data, config["features"]["standardize"])
    figures: dict[str, float] = {"load_s": time.perf_counter() - started}

    flat = {name: to_layout(clips, "flat") for name, clips in (("train", train), ("test", test))}
    for name, (fit_seconds, predicted) in fit_forests(
        flat["train"], y_train, flat["test"], config, threads
    ).items():
        figures[f"{name}_fit_s"] = fit_seconds
        figures[f"{name}_accuracy"] = float(np.mean(predicted == y_test))

    # Seeds and thread pools are set once, before TensorFlow's first op, as
    # every network job of the workflow does.
    configure_tensorflow(threads, config["seed"])
    for family in NETWORK_FAMILIES:
        settings = network_settings(family, config[family])
        layout, method = FAMILY_LAYOUT[family], settings.time_major or "transpose"
        x_train, x_test = (np.ascontiguousarray(to_layout(clips, layout, method)) for clips in (train, test))
        fit_seconds, epoch_seconds, predicted, model = fit_network(
            settings, x_train, y_train, x_test, n_classes, config, data.get("groups_train")
        )
        figures[f"{family}_fit_s"] = fit_seconds
        figures[f"{family}_epochs"] = len(epoch_seconds)
        figures[f"{family}_epoch_s"] = steady_epoch_seconds(epoch_seconds)
        figures[f"{family}_accuracy"] = float(np.mean(predicted == y_test))
        deploy_started = time.perf_counter()
        for runtime, labels in deploy_network(model, x_train, x_test, config).items():
            figures[f"{family}_{runtime}_accuracy"] = float(np.mean(labels == y_test))
        figures[f"{family}_deploy_s"] = time.perf_counter() - deploy_started
    figures["total_s"] = time.perf_counter() - started
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m perf.plain", description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dir", help="folder with X_train.npy, y_train.npy, X_test.npy, y_test.npy")
    parser.add_argument("--config", default=str(CONFIG), help="the workflow config to follow")
    parser.add_argument(
        "--threads",
        type=int,
        default=len(os.sched_getaffinity(0)),
        help="scikit-learn n_jobs and TensorFlow threads (default: every usable CPU)",
    )
    args = parser.parse_args(argv)
    config = load_config([args.config])
    print(format_line("plain", run_plain(args.data_dir, config, usable_threads(args.threads))), flush=True)


if __name__ == "__main__":
    main()
