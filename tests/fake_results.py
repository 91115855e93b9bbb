"""The report's fake results: the files the report rules read (metrics,
predictions, histories, parameter tables, the data summary, benchmarks), as
a small run of the shipped config would leave them, and gather_results on
them. No training and no Snakemake; the report's tests build on them."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import yaml
from ascflow.evaluation import classification_metrics
from ascflow.models.history import write_history
from ascflow.models.naming import model_names, parse_model_name
from ascflow.report.gather import ResultFiles, Results, RunContext, gather_results
from ascflow.stages.evaluate import (
    CompareModels,
    ComparisonFile,
    MetricsFiles,
    MetricsTables,
    PredictionFiles,
    SummarizeMetrics,
    compare_models,
    summarize_metrics,
)
from support import REPO

CLASS_NAMES = ["beach", "bus", "cafe/restaurant", "car", "city center"]
FAKE_FINGERPRINT = "f" * 64
N_TEST = 200
#: The fake accuracy of each base model: the CNN far below, the rest close.
FAKE_ACCURACY = {"rf_10": 0.62, "rf_50": 0.70, "rf_100": 0.72, "cnn": 0.40, "lstm": 0.69}
#: The shipped config, as the report rules would pass it.
CONFIG = yaml.safe_load((REPO / "config/config.yaml").read_text())


def with_changes(config: dict, **sections: dict) -> dict:
    changed = json.loads(json.dumps(config))
    for section, values in sections.items():
        changed[section] = values if not isinstance(values, dict) else {**changed[section], **values}
    return changed


def fake_metrics(name: str, config: dict, rng: np.random.Generator, predictions: Path) -> dict:
    """Metrics as evaluate_model writes them, from fake predictions that hit
    the model's fake accuracy (saved as ``predictions``, one-hot)."""
    parsed = parse_model_name(name)
    true = np.arange(N_TEST) % len(CLASS_NAMES)
    right = rng.permutation(N_TEST) < round(FAKE_ACCURACY[parsed.base] * N_TEST)
    predicted = np.where(right, true, (true + rng.integers(1, len(CLASS_NAMES), N_TEST)) % len(CLASS_NAMES))
    np.save(predictions, np.eye(len(CLASS_NAMES), dtype=np.float32)[predicted])
    network = parsed.family != "rf"
    validation = config["validation"]["mode"] if network else None
    time_major = config["lstm"]["time_major"] if parsed.family == "lstm" else None
    epochs = config[parsed.family]["epochs"] if network else None
    return {
        "model": name,
        "base_model": parsed.base,
        "family": parsed.family,
        "seed": parsed.seed_suffix if parsed.seed_suffix is not None else config["seed"],
        **classification_metrics(true, np.eye(len(CLASS_NAMES))[predicted]),
        "class_names": CLASS_NAMES,
        "train_seconds": 1.5 + 40 * network,
        "epochs_run": epochs,
        "best_epoch": epochs - 1 if network else None,
        "n_params": {"cnn": 562_159, "lstm": 249_839}.get(parsed.family),
        "tree_nodes": None if network else 1_000 * parsed.trees,
        "validation": validation,
        "time_major": time_major,
        "standardize": config["features"]["standardize"],
        # One network on a GPU, to see the report name it.
        "device": "GPU" if parsed.family == "cnn" else "CPU",
        "device_name": "NVIDIA H200" if parsed.family == "cnn" else None,
        "data_fingerprint": FAKE_FINGERPRINT,
        "settings_digest": f"digest of {name}",
        "validation_fraction": config["validation"]["fraction"] if validation == "holdout" else None,
        "settings": config[parsed.family] if network else {**config["rf"], "n_estimators": parsed.trees},
    }


FAKE_PARAMS = {
    "networks": {
        "reference_mlp": {
            "description": "128x128x3 -> Flatten -> Dense 100 ReLU -> Dense 100 ReLU -> Dense 10 softmax",
            "input_shape": [128, 128, 3],
            "layers": [
                {"layer": "flatten", "type": "flatten", "output_shape": [49152], "weights": 0, "biases": 0},
                {
                    "layer": "dense_1",
                    "type": "dense",
                    "output_shape": [100],
                    "weights": 4915200,
                    "biases": 100,
                },
                {"layer": "dense_2", "type": "dense", "output_shape": [100], "weights": 10000, "biases": 100},
                {"layer": "dense_3", "type": "dense", "output_shape": [10], "weights": 1000, "biases": 10},
            ],
        },
        "image_cnn_valid": {
            "description": "128x128x3 -> Conv2D 32 5x5 'valid' ReLU -> ... -> Dense 10 softmax",
            "input_shape": [128, 128, 3],
            "layers": [
                {
                    "layer": "conv2d_1",
                    "type": "conv2d",
                    "output_shape": [124, 124, 32],
                    "weights": 2400,
                    "biases": 32,
                }
            ],
        },
    },
    "image_cnn_conv1_multiplications": {
        "valid": {
            "output_positions": [124, 124],
            "taps_per_filter": 75,
            "filters": 32,
            "multiplications": 36902400,
        },
        "same": {
            "output_positions": [128, 128],
            "taps_per_filter": 75,
            "filters": 32,
            "multiplications": 39321600,
        },
    },
}


def fake_params() -> dict:
    """FAKE_PARAMS with the per-layer and total counts filled in, as params.json has them."""
    params = json.loads(json.dumps(FAKE_PARAMS))
    for network in params["networks"].values():
        for layer in network["layers"]:
            total = layer["weights"] + layer["biases"]
            layer.update(params_closed_form=total, multiply_adds=layer["weights"])
        network["total_closed_form"] = sum(layer["params_closed_form"] for layer in network["layers"])
    return params


def write_fake_results(workdir: Path, config: dict) -> dict:
    """The files the report rules read, under ``workdir``; returns
    gather_results' arguments."""
    rng = np.random.default_rng(0)
    names = model_names(config["rf"]["n_estimators"], config["seeds"])
    metrics_dir, models_dir = workdir / "results/metrics", workdir / "results/models"
    predictions_dir = workdir / "results/predictions"
    folders = (
        metrics_dir,
        models_dir,
        predictions_dir,
        workdir / "results/params",
        workdir / "benchmarks/train_forest",
    )
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
    metrics = [fake_metrics(name, config, rng, predictions_dir / f"{name}.npy") for name in names]
    np.save(workdir / "results/labels_test.npy", np.arange(N_TEST) % len(CLASS_NAMES))
    compare_models(
        CompareModels(
            PredictionFiles(
                [str(predictions_dir / f"{name}.npy") for name in names],
                str(workdir / "results/labels_test.npy"),
            ),
            ComparisonFile(str(workdir / "results/comparisons/models.json")),
        )
    )
    for run in metrics:
        (metrics_dir / f"{run['model']}.json").write_text(json.dumps(run))
    summarize_metrics(
        SummarizeMetrics(
            MetricsFiles([str(metrics_dir / f"{name}.json") for name in names]),
            MetricsTables(str(metrics_dir / "summary.tsv"), str(metrics_dir / "aggregate.tsv")),
        )
    )
    networks = [run["model"] for run in metrics if run["family"] != "rf"]
    for name in networks:
        epochs = config[parse_model_name(name).family]["epochs"]
        history = {
            epoch: {
                "epoch": epoch,
                "loss": 2 / epoch,
                "accuracy": 0.3 + 0.6 * epoch / epochs,
                "val_loss": 2.2 / epoch,
                "val_accuracy": 0.25 + 0.5 * epoch / epochs,
                "seconds": 10.0,
            }
            for epoch in range(1, epochs + 1)
        }
        write_history(models_dir / f"{name}.history.csv", history)
    (workdir / "results/params/params.json").write_text(json.dumps(fake_params()))
    counts = {"train": [120] * len(CLASS_NAMES), "test": [N_TEST // len(CLASS_NAMES)] * len(CLASS_NAMES)}
    data = {
        "data_dir": "resources/default",
        "source": "synthetic",
        "files": {
            f"{stem}.npy": {"shape": [600, 40, 501], "dtype": "float32", "sha256": f"{index:064x}"}
            for index, stem in enumerate(("X_train", "y_train", "X_test", "y_test"))
        },
        "warnings": [],
        "n_features": 40,
        "n_frames": 501,
        "n_classes": len(CLASS_NAMES),
        "class_names": CLASS_NAMES,
        "label_values": list(range(len(CLASS_NAMES))),
        "labels_mapped": False,
        "class_counts": counts,
        "value_range": {"train": {"min": -80.0, "max": 5.0}, "test": {"min": -79.0, "max": 4.0}},
        "duplicate_clips": 0,
        "fingerprint": FAKE_FINGERPRINT,
        "groups": {"train": 60, "test": 20, "shared": 0},
    }
    (workdir / "results/data").mkdir(parents=True, exist_ok=True)
    (workdir / "results/data/summary.json").write_text(json.dumps(data))
    benchmark = "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"
    (workdir / "benchmarks/validate_data.tsv").write_text(
        benchmark + "0.76\t0:00:00\t267.41\t351\t243\t253\t2\t0\t0\t0.48\n"
    )
    (workdir / "benchmarks/train_forest/rf_10.tsv").write_text(
        benchmark + "3.5\t0:00:03\t512.0\tNA\tNA\tNA\t0\t0\t90\t3.1\n"
    )
    return {
        "data_summary": workdir / "results/data/summary.json",
        "metrics": [metrics_dir / f"{name}.json" for name in names],
        "summary_table": metrics_dir / "summary.tsv",
        "aggregate_table": metrics_dir / "aggregate.tsv",
        "histories": [models_dir / f"{name}.history.csv" for name in networks],
        "parameters": workdir / "results/params/params.json",
        "benchmarks": [
            workdir / "benchmarks/train_forest/rf_10.tsv",
            workdir / "benchmarks/validate_data.tsv",
            workdir / "benchmarks/train_network/cnn.tsv",  # not written (yet): left out
        ],
        "config": config,
        "repository": workdir,
        "comparisons": workdir / "results/comparisons/models.json",
    }


def gather(inputs: dict, settings_digests: dict[str, str] | None = None) -> Results:
    """gather_results on what write_fake_results wrote."""
    files = ResultFiles(**{key: inputs[key] for key in ResultFiles.__dataclass_fields__ if key in inputs})
    context = RunContext(inputs["config"], settings_digests, inputs["benchmarks"])
    return gather_results(files, context, inputs["repository"])
