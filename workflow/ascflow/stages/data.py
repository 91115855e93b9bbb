"""Stage data: the built-in synthetic set, and validation of the data in use.

Validation writes ``results/data/summary.json`` (shapes, classes, digests,
training band statistics) and the labels mapped to 0..K-1; every later job
reads the data through what it wrote.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ascflow.data.audio_folder import RecordingNames
from ascflow.data.synthetic import generate_default_data
from ascflow.data.validation import SPLITS, read_devices, validate_dataset
from ascflow.files import read_json, save_array, write_json
from ascflow.stages.runtime import Runtime

log = logging.getLogger("ascflow")


@dataclass(frozen=True)
class DefaultDataFiles:
    classes: str  # beside the arrays, in the folder they are written to


@dataclass(frozen=True)
class DefaultDataSettings:
    settings: dict  # the config's default_data section
    seed: int


@dataclass(frozen=True)
class GenerateData:
    outputs: DefaultDataFiles
    settings: DefaultDataSettings
    runtime: Runtime = field(default_factory=Runtime)


def generate_data(job: GenerateData) -> None:
    out_dir = Path(job.outputs.classes).parent
    written = generate_default_data(out_dir, **job.settings.settings, seed=job.settings.seed)
    log.info("wrote %s", ", ".join(str(path) for path in written.values()))


@dataclass(frozen=True)
class ValidationInputs:
    #: What the extraction from audio_dir did, where the data comes from
    #: recordings: its counts go into the summary, its warnings among the summary's.
    audio_facts: str | None = None
    #: The listing of those recordings, by which every sentence names the
    #: recordings and table rows a clip comes from.
    audio_manifest: str | None = None


@dataclass(frozen=True)
class ValidationOutputs:
    summary: str
    train_labels: str
    test_labels: str
    train_groups: str
    test_groups: str
    #: Each clip's device, empty names where the data has none
    #: (:func:`ascflow.data.validation.load_devices` reads them).
    train_devices: str
    test_devices: str


@dataclass(frozen=True)
class ValidationSettings:
    data_dir: str
    class_names: list[str]
    leakage: str
    synthetic: bool


@dataclass(frozen=True)
class ValidateData:
    inputs: ValidationInputs
    outputs: ValidationOutputs
    settings: ValidationSettings
    runtime: Runtime = field(default_factory=Runtime)


def validate_data(job: ValidateData) -> dict:
    """Writes the labels mapped to 0..K-1, the groups as integer codes
    (one per clip where the data has none) and the devices (empty names
    where the data has none)."""
    settings, outputs, audio_facts = job.settings, job.outputs, job.inputs.audio_facts
    manifest = job.inputs.audio_manifest
    names = RecordingNames(read_json(manifest)) if manifest else None
    summary, labels, groups = validate_dataset(
        settings.data_dir, class_names=list(settings.class_names), leakage=settings.leakage, names=names
    )
    summary["source"] = "synthetic" if settings.synthetic else "audio" if audio_facts else "user"
    if audio_facts:
        summary["audio"] = read_json(audio_facts)
        summary["warnings"] += summary["audio"].pop("warnings")
    for warning in summary["warnings"]:
        log.warning("%s", warning)
    save_array(outputs.train_labels, labels["train"])
    save_array(outputs.test_labels, labels["test"])
    save_array(outputs.train_groups, groups["train"])
    save_array(outputs.test_groups, groups["test"])
    n_clips = {split: labels[split].size for split in SPLITS}
    devices = read_devices(settings.data_dir, n_clips, names) or {
        split: np.full(n, "", dtype=str) for split, n in n_clips.items()
    }
    save_array(outputs.train_devices, devices["train"])
    save_array(outputs.test_devices, devices["test"])
    write_json(outputs.summary, summary)
    log.info(
        "%s: %d classes, %s x %s",
        settings.data_dir,
        summary["n_classes"],
        summary["n_features"],
        summary["n_frames"],
    )
    return summary
