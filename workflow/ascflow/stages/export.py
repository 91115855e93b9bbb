"""Stage export: each trained model as a bundle that travels
(``results/export/<model>/``, :mod:`ascflow.models.bundle`).

Everything the bundle states comes from what training and validation
recorded: the model's ``.train.json`` (its standardization, the LSTM's
time-major view, its data fingerprint and settings digest) and
``results/data/summary.json`` (the class names, the clip shape, the training
set's band statistics and, for recordings, the extraction settings), never
from the config.

A network's bundle also holds its int8 LiteRT and ONNX models
(:mod:`ascflow.models.runtimes`); the int8 model is calibrated on
``representative_clips`` training clips, chosen by ``seed`` from the
features the network trained on (its layout, standardized as training fed
them). The test set plays no part.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np

from ascflow.errors import AscflowError
from ascflow.files import read_json
from ascflow.models.bundle import ModelInputs, Provenance, write_bundle
from ascflow.models.naming import parse_model_name
from ascflow.models.stored import check_model, model_to_score
from ascflow.stages.runtime import Runtime

log = logging.getLogger("ascflow")


@dataclass(frozen=True)
class TrainedFiles:
    #: The model its evaluation scores, and its training's facts: the
    #: trained or refit one, or every sweep variant's with the choice.
    model: list[str]
    info: list[str]
    summary: str
    selection: str | None = None
    #: The model's evaluation, which the export follows (it checked the model).
    metrics: str | None = None
    #: A network's training features, whose clips calibrate its int8 model.
    train_features: str | None = None


@dataclass(frozen=True)
class Bundle:
    bundle: str  # results/export/<model>/


@dataclass(frozen=True)
class Exported:
    model: str
    #: Training clips that calibrate a network's int8 model, chosen by ``seed``.
    representative_clips: int = 100
    seed: int = 0


@dataclass(frozen=True)
class ExportModel:
    inputs: TrainedFiles
    outputs: Bundle
    settings: Exported
    runtime: Runtime = field(default_factory=Runtime)


def representative_rows(n_available: int, n_clips: int, seed: int) -> np.ndarray:
    """Which of ``n_available`` training clips calibrate the int8 model:
    ``n_clips`` of them (all where there are fewer), chosen by ``seed``, in order."""
    n = min(n_clips, n_available)
    return np.sort(np.random.default_rng(seed).choice(n_available, size=n, replace=False))


def representative_set(path: str, n_clips: int, seed: int) -> np.ndarray:
    """The :func:`representative_rows` clips of the features at ``path``."""
    from ascflow.data.validation import load_array

    features = load_array(path)
    if features.ndim < 2 or not len(features):
        raise AscflowError(f"{path}: holds no training clips to calibrate the int8 model with.")
    return np.asarray(features[representative_rows(len(features), n_clips, seed)], dtype=np.float32)


def export_job(job: ExportModel) -> dict:
    """The model file must be the one its training wrote, on the data validated now."""
    model_name, bundle_dir = job.settings.model, job.outputs.bundle
    summary = read_json(job.inputs.summary)
    model_path, info_path, info, selection = model_to_score(
        job.inputs.model, job.inputs.info, job.inputs.selection
    )
    check_model(model_path, info, info_path, summary)
    audio = summary["audio"]["settings"] if summary.get("source") == "audio" else None
    family = parse_model_name(model_name).family
    representative = None
    if family != "rf" and job.inputs.train_features:
        settings = job.settings
        representative = representative_set(
            job.inputs.train_features, settings.representative_clips, settings.seed
        )
        if threads := job.runtime.threads:
            from ascflow.models.network import configure_tensorflow

            configure_tensorflow(threads, seed=0, gpu=False)
    manifest = write_bundle(
        bundle_dir,
        model_name=model_name,
        family=family,
        trained_model_path=model_path,
        inputs=ModelInputs(
            class_names=summary["class_names"],
            clip_shape=(summary["n_features"], summary["n_frames"]),
            standardize=info["standardize"],
            band_mean=summary["train_band_mean"],
            band_std=summary["train_band_std"],
            time_major=(info.get("settings") or {}).get("time_major"),
            audio=audio,
        ),
        provenance=Provenance(
            data_fingerprint=info["data_fingerprint"],
            # As the evaluation's metrics record it: a sweep's, with its choice.
            settings_digest=selection["settings_digest"] if selection else info["settings_digest"],
        ),
        representative=representative,
    )
    log.info("%s: %s, %s", bundle_dir, manifest["model_file"], "from recordings" if audio else "from arrays")
    for entry in manifest["runtimes"].values():
        floats = entry.get("float_ops")
        log.info(
            "%s: %s%s",
            bundle_dir,
            entry["file"],
            "" if floats is None else f", ops left in float: {', '.join(floats) or 'none'}",
        )
    return manifest
