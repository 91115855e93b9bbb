"""Stage audio: recordings in the DCASE layout to the arrays validation reads.

``list_audio`` (a Snakemake checkpoint) lists the recordings and cuts them
into chunks; ``extract_chunk`` computes one chunk's log mel-band energies;
``gather_features`` writes them, in file order, into ``X_*.npy``, ``y_*.npy``,
``groups_*.npy``, ``devices_*.npy`` and ``classes.txt`` with the facts of
the extraction.
``write_example_audio`` makes the example recordings. Each imports what it
needs inside, so that editing one's code re-runs its rule's jobs alone.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from ascflow.stages.runtime import Runtime, progress_log

log = logging.getLogger("ascflow")


@dataclass(frozen=True)
class ExampleAudioFiles:
    meta: str  # meta.csv, in the folder the recordings are written to


@dataclass(frozen=True)
class ExampleAudioSettings:
    settings: dict  # the config's example_audio section, less write
    seed: int


@dataclass(frozen=True)
class WriteExampleAudio:
    outputs: ExampleAudioFiles
    settings: ExampleAudioSettings
    runtime: Runtime = field(default_factory=Runtime)


def write_example_audio(job: WriteExampleAudio) -> None:
    from ascflow.data.synthetic_audio import SyntheticRecordings, write_audio_folder

    out_dir = str(Path(job.outputs.meta).parent)
    recordings = SyntheticRecordings(**job.settings.settings, seed=job.settings.seed)
    written = write_audio_folder(out_dir, recordings)
    log.info("wrote %s", ", ".join(str(path) for path in written.values()))


@dataclass(frozen=True)
class Manifest:
    manifest: str


@dataclass(frozen=True)
class ListingSettings:
    audio_dir: str
    chunk_files: int
    audio_checks: str


@dataclass(frozen=True)
class ListAudio:
    outputs: Manifest
    settings: ListingSettings
    runtime: Runtime = field(default_factory=Runtime)


def list_audio(job: ListAudio) -> dict:
    from ascflow.data.audio_folder import list_recordings, named
    from ascflow.files import write_json

    settings = job.settings
    manifest = list_recordings(settings.audio_dir, settings.chunk_files, settings.audio_checks)
    for kind in ("unlisted", "unsplit"):
        if manifest[kind]:
            log.warning("%d recordings %s: %s", len(manifest[kind]), kind, named(manifest[kind]))
    write_json(job.outputs.manifest, manifest)
    log.info(
        "%s: %d recordings in %d chunks of up to %d",
        settings.audio_dir,
        len(manifest["files"]),
        len(manifest["chunks"]),
        settings.chunk_files,
    )
    return manifest


@dataclass(frozen=True)
class Recordings:
    audio: list[str]  # in file order


@dataclass(frozen=True)
class ChunkFile:
    chunk: str


@dataclass(frozen=True)
class ExtractionSettings:
    settings: dict  # the config's audio section, less chunk_files


@dataclass(frozen=True)
class ExtractChunk:
    inputs: Recordings
    outputs: ChunkFile
    settings: ExtractionSettings
    runtime: Runtime = field(default_factory=Runtime)


def extract_chunk(job: ExtractChunk) -> None:
    import resource
    import time

    from ascflow.data.audio import audio_settings, extract_features
    from ascflow.data.audio_folder import save_chunk

    audio_paths, settings, chunk_path = job.inputs.audio, job.settings.settings, job.outputs.chunk
    started = time.perf_counter()
    features, facts = extract_features(audio_paths, audio_settings(settings))
    for path, fact in zip(audio_paths, facts, strict=True):
        fact["path"] = path
    save_chunk(chunk_path, features, facts, settings)
    seconds = time.perf_counter() - started
    progress_log(f"chunk {Path(chunk_path).stem}").info("%d recordings extracted", len(audio_paths))
    log.info(
        "%d recordings -> %s in %.2f s (%.1f files/s), peak memory %.0f MB",
        len(audio_paths),
        " x ".join(map(str, features.shape)),
        seconds,
        len(audio_paths) / seconds,
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    )


@dataclass(frozen=True)
class Chunks:
    manifest: str
    chunks: list[str]  # named by their chunk (0003.npz)


@dataclass(frozen=True)
class GatheredFiles:
    X_train: str  # noqa: N815 (the data file's own name), in the folder all are written to
    facts: str  # what the extraction did


@dataclass(frozen=True)
class GatherSettings:
    settings: dict  # what each chunk must have been extracted with, which the facts record
    audio_checks: str


@dataclass(frozen=True)
class GatherFeatures:
    inputs: Chunks
    outputs: GatheredFiles
    settings: GatherSettings
    runtime: Runtime = field(default_factory=Runtime)


def gather_features(job: GatherFeatures) -> dict:
    from ascflow.data.audio_folder import gather_chunks
    from ascflow.files import read_json, write_json

    manifest = read_json(job.inputs.manifest)
    chunks = {Path(path).stem: path for path in job.inputs.chunks}
    out_dir = str(Path(job.outputs.X_train).parent)
    facts = gather_chunks(manifest, chunks, job.settings.settings, out_dir, job.settings.audio_checks)
    for warning in facts["warnings"]:
        log.warning("%s", warning)
    write_json(job.outputs.facts, facts)
    log.info("%s: %s train / %s test clips", out_dir, facts["files"]["train"], facts["files"]["test"])
    return facts
