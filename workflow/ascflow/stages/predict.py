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
from pathlib import Path

import numpy as np

from ascflow.errors import AscflowError
from ascflow.files import write_json

log = logging.getLogger("ascflow")


def list_recordings(predict_dir: str, chunk_files: int, manifest_path: str) -> dict:
    from ascflow.data.audio_folder import chunk_id
    from ascflow.prediction import recording_inputs

    names = recording_inputs(predict_dir)
    files = [
        {"file": name, "chunk": chunk_id(position // chunk_files)} for position, name in enumerate(names)
    ]
    manifest = {
        "predict_dir": predict_dir,
        "chunk_files": chunk_files,
        "chunks": sorted({entry["chunk"] for entry in files}),
        "files": files,
    }
    write_json(manifest_path, manifest)
    log.info("%s: %d recordings in %d chunks", predict_dir, len(files), len(manifest["chunks"]))
    return manifest


def extract_chunk(bundle_dir: str, audio_paths: list[str], chunk_path: str) -> None:
    """The chunk's features, with the extraction settings ``bundle_dir`` records."""
    from ascflow.models.bundle import read_manifest
    from ascflow.stages.audio import extract_chunk as extract_with

    audio = read_manifest(bundle_dir)["audio"]
    if audio is None:
        raise AscflowError(f"{bundle_dir}: was trained on arrays of clips, so it has no audio settings.")
    extract_with(audio_paths, audio["settings"], chunk_path)


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


def predict_job(
    model_name: str,
    bundle_dir: str,
    predict_dir: str,
    table_path: str,
    facts_path: str,
    threads: int,
    gpu="auto",
    manifest_path: str | None = None,
    chunk_paths: list[str] | None = None,
    clips_path: str | None = None,
    meta_path: str | None = None,
) -> dict:
    """Classify ``predict_dir``'s recordings (the listing ``manifest_path``
    and its chunks) or its clips (``clips_path``) with one model's bundle;
    score them against ``meta_path`` when given."""
    from ascflow.files import read_json
    from ascflow.models.bundle import load_bundle
    from ascflow.models.naming import parse_model_name
    from ascflow.prediction import (
        prediction_facts,
        prediction_table,
        read_clips,
        write_prediction_table,
    )
    from ascflow.stages.runtime import usable_threads

    threads = usable_threads(threads)
    if parse_model_name(model_name).family != "rf":
        from ascflow.models.network import configure_tensorflow

        configure_tensorflow(threads, seed=0, gpu=gpu)
    bundle = load_bundle(bundle_dir)
    if clips_path:
        clips = read_clips(clips_path, bundle)
        names, facts = [str(row) for row in range(clips.shape[0])], []
    else:
        if bundle.audio is None:
            raise AscflowError(f"{bundle_dir}: was trained on arrays of clips, not on recordings.")
        names, clips, facts = extracted_clips(
            read_json(manifest_path), chunk_paths, bundle.manifest["audio"]["settings"]
        )
        bundle.check_clips(clips, manifest_path)
    probabilities = bundle.probabilities(clips, threads)
    table = prediction_table(names, probabilities, bundle.class_names)
    facts = prediction_facts(bundle, table, probabilities, facts, predict_dir, meta_path)
    write_prediction_table(table, table_path)
    write_json(facts_path, facts)
    scored = f", accuracy {facts['accuracy']:.4f}" if facts["labelled"] else ""
    log.info("%s: %d files of %s classified%s", model_name, len(names), predict_dir, scored)
    return facts
