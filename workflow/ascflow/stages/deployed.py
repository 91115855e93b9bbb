"""Stage deployed: what a network's bundle deploys, measured.

For each network, its exported bundle (``results/export/<model>/``) is read
as a device would: the Keras model, the int8 LiteRT model and the ONNX model
each score the test set (used for scoring only), with the accuracy's Wilson
interval, the log loss, and the share of clips on which each agrees with the
Keras model. The Keras model's probabilities are the evaluation's
(``results/predictions/<model>.npy``), once its file is found to be the
bundle's by digest: the job then starts no TensorFlow, whose start costs
more than scoring the test set in int8. Beside them the complexity budget
measured on what is deployed:
the int8 model's parameter memory counted by data type from its file
(:mod:`ascflow.models.deployed_memory`), the float32 memory and the
multiply-accumulates per second of audio from the network's layers
(:mod:`ascflow.models.counting`), each held against ``complexity_limits``;
and the operators the int8 model left in float. Writes
``results/deployed/<model>.json``, facts only; the report's sentences are
:mod:`ascflow.report.sections.deployed`'s.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ascflow.errors import AscflowError
from ascflow.evaluation import multiclass_log_loss, wilson_interval
from ascflow.files import file_digest, read_json, write_json
from ascflow.models.bundle import read_manifest
from ascflow.models.counting import KILOBYTE, clip_seconds, complexity, multiply_accumulates, total_params
from ascflow.models.deployed_memory import float_operators, parameter_memory
from ascflow.models.settings import architecture
from ascflow.stages.runtime import Runtime

log = logging.getLogger("ascflow")

#: Clips per prediction call: bounds the memory of a batch's activations.
BATCH = 128
#: The exported runtimes scored beside the Keras model.
EXPORTED = ("litert", "onnx")


def runtime_scores(labels: np.ndarray, probabilities: dict[str, np.ndarray], reference: str) -> dict:
    """Per runtime: accuracy with its 95 % Wilson interval, the log loss,
    and the share of clips whose predicted class is ``reference``'s (the
    Keras model's, 1 for itself)."""
    labels = np.asarray(labels)
    predicted = {name: np.asarray(values).argmax(axis=1) for name, values in probabilities.items()}
    scores = {}
    for name, values in probabilities.items():
        correct = int((predicted[name] == labels).sum())
        low, high = wilson_interval(correct, int(labels.size))
        scores[name] = {
            "accuracy": correct / labels.size,
            "ci95_low": low,
            "ci95_high": high,
            "log_loss": multiclass_log_loss(labels, values),
            "agreement": float((predicted[name] == predicted[reference]).mean()),
            "n_correct": correct,
        }
    return scores


def deployed_budget(
    architecture_section: dict,
    family: str,
    summary: dict,
    keras_parameters: int,
    int8_memory: dict,
    limits: dict,
) -> dict:
    """The complexity budget of the deployed network: the float32 memory
    and MACs from its layers (the closed form, which must count the Keras
    model's parameters), the int8 memory as its file stores it; each held
    against ``limits``."""
    n_features, n_frames, n_classes = summary["n_features"], summary["n_frames"], summary["n_classes"]
    input_shape = (n_features, n_frames, 1) if family == "cnn" else (n_frames, n_features)
    spec = architecture(family, architecture_section).spec(input_shape, n_classes)
    if total_params(spec) != keras_parameters:
        raise AscflowError(
            f"{family}: the bundle's Keras model has {keras_parameters} parameters but its recorded "
            f"settings' layers count {total_params(spec)}; export it again."
        )
    audio = summary.get("audio") if summary.get("source") == "audio" else None
    seconds, basis = clip_seconds(n_frames, audio["settings"]["clip_s"] if audio else None)
    figures = complexity(keras_parameters, multiply_accumulates(spec), seconds, limits)
    figures["memory_kb_int8_file"] = int8_memory["kb"]
    figures["fits_memory_int8_file"] = int8_memory["kb"] <= limits["parameter_memory_kb"]
    figures["memory_bytes_float32"] = keras_parameters * 4
    return {"limits": dict(limits), "clip_seconds": seconds, "clip_seconds_from": basis, **figures}


@dataclass(frozen=True)
class DeployedInputs:
    #: The model's bundle folder (results/export/<model>/), read as a device would.
    bundle: str
    #: The trained model file(s) the evaluation chose from (a sweep's
    #: variants), one of which the bundle holds.
    models: list[str]
    #: The evaluation's class probabilities of the test clips: the Keras model's.
    predictions: str
    features: str  # the test features, in the model's layout
    labels: str  # the test labels
    summary: str  # the data's: the clip shape, the classes, the clip length
    #: The model's evaluation: the settings it was trained with (its layers).
    metrics: str


@dataclass(frozen=True)
class DeployedOutputs:
    deployed: str  # results/deployed/<model>.json


@dataclass(frozen=True)
class DeployedSettings:
    model: str
    complexity_limits: dict
    #: The digest the config gives the model now: metrics of other settings
    #: are named as the report names them, before the bundle is compared.
    settings_digest: str | None = None


@dataclass(frozen=True)
class MeasureDeployed:
    inputs: DeployedInputs
    outputs: DeployedOutputs
    settings: DeployedSettings
    runtime: Runtime = field(default_factory=Runtime)


def predict_all(runtime, features: np.ndarray) -> np.ndarray:
    """A runtime's class probabilities of every clip, batch by batch."""
    parts = [
        np.asarray(runtime.predict(np.ascontiguousarray(features[start : start + BATCH], dtype=np.float32)))
        for start in range(0, features.shape[0], BATCH)
    ]
    return np.concatenate(parts).astype(np.float64)


def runtime_model(bundle: Path, runtime: str, threads: int):
    """The bundle's exported model in ``runtime``, as prediction opens it:
    every file checked against its digest, the model against its recorded
    probe outputs and the Keras model's, before it predicts (nothing from a
    bundle runs); one sentence naming what is wrong."""
    from ascflow.models.bundle import load_bundle

    return load_bundle(bundle, runtime, threads).runner


def check_evaluated(job: MeasureDeployed, manifest: dict, metrics: dict) -> None:
    """The evaluation must be of the config's settings, and the bundle of
    the model it evaluated: the same training, and the same Keras file (one
    of a sweep's runs), whose probabilities stand for the bundle's."""
    inputs, model_name, bundle = job.inputs, job.settings.model, Path(job.inputs.bundle)
    expected = job.settings.settings_digest
    if expected is not None and metrics.get("settings_digest") != expected:
        raise AscflowError(
            f"{inputs.metrics}: was made with other settings than the config gives {model_name}; "
            "a measurement must not mix settings (run the workflow again to retrain)."
        )
    if (manifest.get("data_fingerprint"), manifest.get("settings_digest")) != (
        metrics.get("data_fingerprint"),
        metrics.get("settings_digest"),
    ):
        raise AscflowError(
            f"{bundle}: holds another model than results/metrics/{model_name}.json evaluated; "
            "export it again."
        )
    models = inputs.models
    digest = manifest["files"].get(manifest["model_file"])
    if digest not in {file_digest(path) for path in models}:
        raise AscflowError(
            f"{bundle / manifest['model_file']}: is not the model the evaluation scored "
            f"({', '.join(models)}); export it again."
        )


def measure_deployed_job(job: MeasureDeployed) -> dict:
    """Score the bundle's three runtimes on the test set; measure its budget."""
    inputs, model_name = job.inputs, job.settings.model
    bundle = Path(inputs.bundle)
    manifest = read_manifest(bundle)
    metrics, summary = read_json(inputs.metrics), read_json(inputs.summary)
    check_evaluated(job, manifest, metrics)
    features = np.load(inputs.features, mmap_mode="r", allow_pickle=False)
    labels = np.load(inputs.labels, allow_pickle=False)
    probabilities = {"keras": np.load(inputs.predictions, allow_pickle=False).astype(np.float64)}
    if probabilities["keras"].shape[0] != labels.size:
        raise AscflowError(
            f"{inputs.predictions}: holds {probabilities['keras'].shape[0]} clips' probabilities, not the "
            f"{labels.size} of the test set; run the workflow again to evaluate {model_name} anew."
        )
    for name in EXPORTED:
        probabilities[name] = predict_all(runtime_model(bundle, name, job.runtime.threads), features)
        log.info("%s: %s predicted %d clips", model_name, name, features.shape[0])
    scores = runtime_scores(labels, probabilities, reference="keras")
    int8_path = bundle / manifest["runtimes"]["litert"]["file"]
    int8_memory = parameter_memory(int8_path)
    keras_parameters = int(metrics["n_params"])  # counted by the evaluation, of the same file
    budget = deployed_budget(
        metrics["settings"],
        manifest["family"],
        summary,
        keras_parameters,
        int8_memory,
        job.settings.complexity_limits,
    )
    facts = {
        "model": model_name,
        "family": manifest["family"],
        "n_test": int(labels.size),
        "data_fingerprint": manifest["data_fingerprint"],
        "settings_digest": manifest["settings_digest"],
        "reference": "keras",
        "runtimes": scores,
        "files": {name: entry["file"] for name, entry in manifest["runtimes"].items()},
        # Read from the int8 file itself; the export's own list, which the manifest records, beside it.
        "float_ops": float_operators(int8_path),
        "float_ops_exported": manifest["runtimes"]["litert"].get("float_ops"),
        "memory": {
            "int8_file": int8_memory,
            "float32": {
                "parameters": keras_parameters,
                "bytes": 4 * keras_parameters,
                "kb": 4 * keras_parameters / KILOBYTE,
            },
        },
        "complexity": budget,
    }
    write_json(job.outputs.deployed, facts)
    for name, score in scores.items():
        log.info(
            "%s: %s accuracy %.4f [%.4f, %.4f], agrees with keras on %.1f %% of clips",
            model_name,
            name,
            score["accuracy"],
            score["ci95_low"],
            score["ci95_high"],
            100 * score["agreement"],
        )
    log.info(
        "%s: int8 parameter memory %d bytes (%.1f KB)", model_name, int8_memory["bytes"], int8_memory["kb"]
    )
    return facts
