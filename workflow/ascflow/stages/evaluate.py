"""Stage evaluate: each model once on the test set, then one table of all.

The metrics files hold facts only (numbers, modes, names, the settings a
model was trained with); :mod:`ascflow.report` turns them into sentences.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

import numpy as np

from ascflow.data.validation import load_devices
from ascflow.evaluation import (
    DEVICE_COLUMNS,
    SUMMARY_COLUMNS,
    aggregate_runs,
    classification_metrics,
    device_metrics,
    holm,
    mcnemar_test,
    paired_seed_tests,
)
from ascflow.files import read_json, save_array, write_json, write_table
from ascflow.models.naming import parse_model_name
from ascflow.models.stored import check_model, load_model, model_to_score, predict_probabilities
from ascflow.stages.runtime import Runtime
from ascflow.stages.train import load_features

log = logging.getLogger("ascflow")

#: What a model's .train.json says of its training, carried into its metrics.
TRAINING_FACTS = (
    "train_seconds",
    "epochs_run",
    "best_epoch",
    "n_params",
    "layer_params",  # a network's per-layer counts by Keras: the report's Keras column
    "tree_nodes",
    "validation",
    "validation_fraction",
    "split",
    "validation_accuracy",
    "standardize",
    "settings",
    "settings_digest",
    "data_fingerprint",
    "device",
    "device_name",
)


@dataclass(frozen=True)
class EvaluationInputs:
    #: The trained (or refit) model and its training's facts; after a sweep
    #: without refit, every variant's, with the choice among them.
    model: list[str]
    info: list[str]
    features: str  # the test features
    labels: str
    summary: str
    selection: str | None = None
    #: Each test and training clip's device (empty names where unknown).
    devices: str | None = None
    train_devices: str | None = None


@dataclass(frozen=True)
class EvaluationOutputs:
    metrics: str
    probabilities: str


@dataclass(frozen=True)
class EvaluationSettings:
    model: str
    gpu: bool | str = "auto"


@dataclass(frozen=True)
class EvaluateModel:
    inputs: EvaluationInputs
    outputs: EvaluationOutputs
    settings: EvaluationSettings
    runtime: Runtime = field(default_factory=Runtime)


def evaluate_job(job: EvaluateModel) -> dict:
    """Score a trained model once on the test set and write its metrics:
    the one trained (or refit), or the variant a sweep's selection kept."""
    inputs, model_name = job.inputs, job.settings.model
    name = parse_model_name(model_name)
    if name.family != "rf":
        from ascflow.models.network import configure_tensorflow

        configure_tensorflow(job.runtime.threads, seed=0, gpu=job.settings.gpu)
    summary = read_json(inputs.summary)
    model_path, info_path, info, selection = model_to_score(inputs.model, inputs.info, inputs.selection)
    check_model(model_path, info, info_path, summary)
    model = load_model(model_path, name.family)
    probabilities = predict_probabilities(model, name.family, load_features(inputs.features))
    probabilities = probabilities.astype(np.float32)
    metrics = {
        "model": model_name,
        "base_model": name.base,
        "family": name.family,
        "seed": info["seed"],
        **classification_metrics(np.load(inputs.labels), probabilities),
        "class_names": summary["class_names"],
        **{key: info[key] for key in TRAINING_FACTS},
        "time_major": info["settings"].get("time_major"),  # the LSTM's input view
        "refit": info.get("refit", False),
        "trained_as": info.get("trained_as", selection["selected"] if selection else model_name),
        "validation_run": info.get("validation_run"),
        "n_train": info.get("n_train"),
        "swept": selection["parameters"] if selection else [],
    }
    if selection:  # what the model was made with: the sweep, and the choice
        metrics["settings_digest"] = selection["settings_digest"]
    devices = load_devices(inputs.devices) if inputs.devices else None
    if devices is not None and inputs.train_devices:  # only where the data names the devices
        train_devices = load_devices(inputs.train_devices)
        metrics |= device_metrics(
            np.load(inputs.labels),
            probabilities.argmax(axis=1),
            devices,
            train_devices if train_devices is not None else np.array([], dtype=str),
        )
    save_array(job.outputs.probabilities, probabilities)
    write_json(job.outputs.metrics, metrics)
    log.info(
        "%s: accuracy %.4f [%.4f, %.4f]",
        model_name,
        *(metrics[k] for k in ("accuracy", "ci95_low", "ci95_high")),
    )
    return metrics


@dataclass(frozen=True)
class MetricsFiles:
    metrics: list[str]


@dataclass(frozen=True)
class MetricsTables:
    summary: str  # a row per model run
    aggregate: str  # per base model: the mean and SD over seeds


@dataclass(frozen=True)
class SummarizeMetrics:
    inputs: MetricsFiles
    outputs: MetricsTables
    runtime: Runtime = field(default_factory=Runtime)


def summarize_metrics(job: SummarizeMetrics) -> None:
    metrics = [read_json(path) for path in job.inputs.metrics]
    # The device columns only where the data names the devices.
    with_devices = any("per_device" in row for row in metrics)
    write_table(job.outputs.summary, metrics, SUMMARY_COLUMNS + (DEVICE_COLUMNS if with_devices else ()))
    write_table(job.outputs.aggregate, aggregate_runs(metrics))


#: The significance level of the model comparisons.
ALPHA = 0.05


@dataclass(frozen=True)
class PredictionFiles:
    probabilities: list[str]  # results/predictions/<model>.npy
    labels: str  # the test labels


@dataclass(frozen=True)
class ComparisonFile:
    comparisons: str


@dataclass(frozen=True)
class CompareModels:
    inputs: PredictionFiles
    outputs: ComparisonFile
    runtime: Runtime = field(default_factory=Runtime)


def compare_models(job: CompareModels) -> dict:
    """Paired tests of the models on the same test clips: McNemar's exact
    test on the predictions of every two runs of one seed, Holm-adjusted
    across all those pairs; with several seeds also a paired t-test of the
    base models' accuracies over the seeds."""
    probabilities_paths = {Path(path).stem: path for path in job.inputs.probabilities}
    labels = np.load(job.inputs.labels)
    runs = {name: parse_model_name(name) for name in probabilities_paths}
    correct = {name: np.load(path).argmax(axis=1) == labels for name, path in probabilities_paths.items()}
    pairs = [
        mcnemar_test(first, second, correct)
        for first, second in combinations(correct, 2)
        if runs[first].seed_suffix == runs[second].seed_suffix
    ]
    accuracy: dict[str, dict[int, float]] = {}
    for name, run in runs.items():
        if run.seed_suffix is not None:
            accuracy.setdefault(run.base, {})[run.seed_suffix] = float(correct[name].mean())
    comparisons = {
        "alpha": ALPHA,
        "n_test": int(labels.size),
        "models": list(probabilities_paths),
        "mcnemar": holm(pairs, ALPHA),
        "seeds": paired_seed_tests(accuracy, ALPHA),
    }
    write_json(job.outputs.comparisons, comparisons)
    significant = [
        f"{row['first']} vs {row['second']}" for row in comparisons["mcnemar"] if row["significant"]
    ]
    log.info("%d of %d pairs differ significantly: %s", len(significant), len(pairs), ", ".join(significant))
    return comparisons


@dataclass(frozen=True)
class FoldFiles:
    folds: list[str]


@dataclass(frozen=True)
class FoldTable:
    folds: str  # results/cv/folds.tsv


@dataclass(frozen=True)
class SummarizeFolds:
    inputs: FoldFiles
    outputs: FoldTable
    runtime: Runtime = field(default_factory=Runtime)


def summarize_folds(job: SummarizeFolds) -> None:
    """One row per model and fold."""
    write_table(job.outputs.folds, [read_json(path) for path in job.inputs.folds])
