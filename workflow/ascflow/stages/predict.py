"""Stage predict: every trained model's predictions for the recordings (or
the clips) of ``predict_dir``, and their scores where it labels them.

``list_recordings`` (a Snakemake checkpoint) lists the recordings below the
folder in chunks; ``extract_chunk`` computes one chunk's log mel-band
energies with the extraction settings of a model bundle (every bundle of a
run records the same); ``predict_job`` classifies them with one bundle,
after checking that the chunks were extracted with that bundle's settings,
and writes the table :func:`ascflow.prediction.predict` gives for the same
folder, and the facts the report reads. Nothing is written before every
input has been read and scored: a bad recording, array or label leaves no
table behind.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ascflow.errors import AscflowError
from ascflow.files import write_json
from ascflow.stages.runtime import Runtime

log = logging.getLogger("ascflow")


@dataclass(frozen=True)
class Listing:
    manifest: str


@dataclass(frozen=True)
class PredictFolder:
    predict_dir: str
    chunk_files: int


@dataclass(frozen=True)
class ListRecordings:
    outputs: Listing
    settings: PredictFolder
    runtime: Runtime = field(default_factory=Runtime)


def list_recordings(job: ListRecordings) -> dict:
    from ascflow.data.audio_folder import chunk_id
    from ascflow.prediction import recording_inputs

    predict_dir, chunk_files, manifest_path = (
        job.settings.predict_dir,
        job.settings.chunk_files,
        job.outputs.manifest,
    )
    names = recording_inputs(predict_dir)
    files = [
        {"file": name, "chunk": chunk_id(position // chunk_files)} for position, name in enumerate(names)
    ]
    manifest = {
        "predict_dir": predict_dir,
        # The folder the files are named in, as in list_audio's listing.
        "audio_dir": predict_dir,
        "chunk_files": chunk_files,
        "chunks": sorted({entry["chunk"] for entry in files}),
        "files": files,
    }
    write_json(manifest_path, manifest)
    log.info("%s: %d recordings in %d chunks", predict_dir, len(files), len(manifest["chunks"]))
    return manifest


@dataclass(frozen=True)
class NewRecordings:
    audio: list[str]
    bundle: str  # whose extraction settings extract them


@dataclass(frozen=True)
class ChunkOfNew:
    chunk: str


@dataclass(frozen=True)
class ExtractNew:
    inputs: NewRecordings
    outputs: ChunkOfNew
    runtime: Runtime = field(default_factory=Runtime)


def extract_chunk(job: ExtractNew) -> None:
    """The chunk's features, with the extraction settings its bundle records."""
    from ascflow.models.bundle import read_manifest
    from ascflow.stages.audio import ChunkFile, ExtractChunk, ExtractionSettings, Recordings
    from ascflow.stages.audio import extract_chunk as extract_with

    audio = read_manifest(job.inputs.bundle)["audio"]
    if audio is None:
        raise AscflowError(
            f"{job.inputs.bundle}: was trained on arrays of clips, so it has no audio settings."
        )
    extract_with(
        ExtractChunk(
            Recordings(job.inputs.audio), ChunkFile(job.outputs.chunk), ExtractionSettings(audio["settings"])
        )
    )


def extracted_clips(
    manifest: dict, chunk_paths: list[str], settings: dict
) -> tuple[list[str], np.ndarray, list]:
    """The listing's names and the chunks' clips and facts, in listing
    order; every chunk must hold its recordings, extracted with ``settings``."""
    from ascflow.data.audio_folder import read_chunk

    chunks = {Path(path).stem: path for path in chunk_paths}
    features, facts = [], []
    for chunk in manifest["chunks"]:
        if chunk not in chunks:
            raise AscflowError(f"chunk {chunk} of {manifest['predict_dir']}: has no extracted features.")
        clips, chunk_facts, chunk_settings = read_chunk(chunks[chunk])
        names = [entry["file"] for entry in manifest["files"] if entry["chunk"] == chunk]
        expected = [Path(manifest["predict_dir"], name) for name in names]
        if chunk_settings != settings:
            raise AscflowError(
                f"{chunks[chunk]}: was extracted with other settings than the model bundle records; "
                "delete it and run the workflow again."
            )
        if [Path(fact["path"]) for fact in chunk_facts] != expected:
            raise AscflowError(
                f"{chunks[chunk]}: holds other recordings than the listing gives chunk {chunk}; "
                "delete it and run the workflow again."
            )
        features.append(clips)
        facts += chunk_facts
    return [entry["file"] for entry in manifest["files"]], np.concatenate(features), facts


@dataclass(frozen=True)
class ToClassify:
    bundle: str
    #: Recordings: the listing of predict_dir and its chunks; arrays: its X.npy.
    manifest: str | None = None
    chunks: list[str] = field(default_factory=list)
    clips: str | None = None
    meta: str | None = None  # predict_dir's meta.csv, whose labels score the predictions


@dataclass(frozen=True)
class Predictions:
    table: str  # filename, scene_label, a probability per class
    facts: str  # the scores, or the class counts, for the report


@dataclass(frozen=True)
class PredictSettings:
    model: str
    predict_dir: str
    gpu: bool | str = "auto"
    #: Which of a network bundle's models predicts (keras, litert or onnx);
    #: a forest always runs from its own file.
    runtime: str = "keras"


@dataclass(frozen=True)
class PredictModel:
    inputs: ToClassify
    outputs: Predictions
    settings: PredictSettings
    runtime: Runtime = field(default_factory=Runtime)


def predict_job(job: PredictModel) -> dict:
    """Classify predict_dir's recordings or its clips with one model's
    bundle; score them against its meta.csv when there is one."""
    from ascflow.files import read_json
    from ascflow.models.bundle import load_bundle
    from ascflow.models.naming import parse_model_name
    from ascflow.prediction import (
        prediction_facts,
        prediction_table,
        read_clips,
        write_prediction_table,
    )

    inputs, model_name, predict_dir = job.inputs, job.settings.model, job.settings.predict_dir
    threads = job.runtime.threads
    if parse_model_name(model_name).family != "rf":
        from ascflow.models.network import configure_tensorflow

        configure_tensorflow(threads, seed=0, gpu=job.settings.gpu)
    family = parse_model_name(model_name).family
    bundle = load_bundle(inputs.bundle, job.settings.runtime if family != "rf" else "keras", threads)
    if inputs.clips:
        clips = read_clips(inputs.clips, bundle)
        names, facts = [str(row) for row in range(clips.shape[0])], []
    else:
        if bundle.audio is None:
            raise AscflowError(f"{inputs.bundle}: was trained on arrays of clips, not on recordings.")
        names, clips, facts = extracted_clips(
            read_json(inputs.manifest), inputs.chunks, bundle.manifest["audio"]["settings"]
        )
        bundle.check_clips(clips, inputs.manifest)
    probabilities = bundle.probabilities(clips, threads)
    table = prediction_table(names, probabilities, bundle.class_names)
    facts = prediction_facts(bundle, table, probabilities, facts, predict_dir, inputs.meta)
    write_prediction_table(table, job.outputs.table)
    write_json(job.outputs.facts, facts)
    scored = f", accuracy {facts['accuracy']:.4f}" if facts["labelled"] else ""
    log.info("%s: %d files of %s classified%s", model_name, len(names), predict_dir, scored)
    return facts
