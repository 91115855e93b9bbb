"""Stage features: one layout of one split, standardized if configured."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from ascflow.data.validation import load_array
from ascflow.errors import AscflowError
from ascflow.features import write_layout
from ascflow.files import atomic_path, file_digest, read_json
from ascflow.stages.runtime import Runtime

log = logging.getLogger("ascflow")


@dataclass(frozen=True)
class FeatureInputs:
    clips: str
    summary: str


@dataclass(frozen=True)
class FeatureOutputs:
    features: str


@dataclass(frozen=True)
class FeatureSettings:
    layout: str
    standardize: str
    time_major: str


@dataclass(frozen=True)
class MakeFeatures:
    inputs: FeatureInputs
    outputs: FeatureOutputs
    settings: FeatureSettings
    runtime: Runtime = field(default_factory=Runtime)


def make_features(job: MakeFeatures) -> tuple[int, ...]:
    clips_path, features_path, settings = job.inputs.clips, job.outputs.features, job.settings
    summary = read_json(job.inputs.summary)
    # The clips must be the very file validation checked: a file replaced
    # since (or another data_dir's) would be reshaped unchecked otherwise.
    checked = summary["files"].get(Path(clips_path).name, {}).get("sha256")
    if file_digest(clips_path) != checked:
        raise AscflowError(
            f"{clips_path}: is not the file validate_data checked (its SHA-256 differs); "
            "run the workflow again to re-validate the data."
        )
    per_band = settings.standardize == "per_band"
    with atomic_path(features_path) as partial:
        shape = write_layout(
            load_array(clips_path),
            partial,
            settings.layout,
            band_mean=summary["train_band_mean"] if per_band else None,
            band_std=summary["train_band_std"] if per_band else None,
            time_major_method=settings.time_major,
        )
    log.info("wrote %s, shape %s", features_path, shape)
    return shape
