"""Stage audio: recordings in the DCASE layout to the arrays validation reads.

``list_audio`` (a Snakemake checkpoint) lists the recordings and cuts them
into chunks; ``extract_chunk`` computes one chunk's log mel-band energies;
``gather_features`` writes them, in file order, into ``X_*.npy``, ``y_*.npy``,
``groups_*.npy`` and ``classes.txt`` with the facts of the extraction.
``write_example_audio`` makes the example recordings. Each imports what it
needs inside, so that editing one's code re-runs its rule's jobs alone.
"""

from __future__ import annotations

import logging
from pathlib import Path

log = logging.getLogger("ascflow")


def write_example_audio(out_dir: str, settings: dict, seed: int) -> None:
    """``settings``: the config's ``example_audio`` section, less ``write``."""
    from ascflow.data.synthetic_audio import write_audio_folder

    written = write_audio_folder(out_dir, **settings, seed=seed)
    log.info("wrote %s", ", ".join(str(path) for path in written.values()))


def list_audio(audio_dir: str, chunk_files: int, audio_checks: str, manifest_path: str) -> dict:
    from ascflow.data.audio_folder import list_recordings, named
    from ascflow.files import write_json

    manifest = list_recordings(audio_dir, chunk_files, audio_checks)
    for kind in ("unlisted", "unsplit"):
        if manifest[kind]:
            log.warning("%d recordings %s: %s", len(manifest[kind]), kind, named(manifest[kind]))
    write_json(manifest_path, manifest)
    log.info(
        "%s: %d recordings in %d chunks of up to %d",
        audio_dir,
        len(manifest["files"]),
        len(manifest["chunks"]),
        chunk_files,
    )
    return manifest


def extract_chunk(audio_paths: list[str], settings: dict, chunk_path: str) -> None:
    """``settings``: the config's ``audio`` section, less ``chunk_files``."""
    import resource
    import time

    from ascflow.data.audio import audio_settings, extract_features
    from ascflow.data.audio_folder import save_chunk

    started = time.perf_counter()
    features, facts = extract_features(audio_paths, audio_settings(settings))
    for path, fact in zip(audio_paths, facts, strict=True):
        fact["path"] = path
    save_chunk(chunk_path, features, facts, settings)
    seconds = time.perf_counter() - started
    log.info(
        "%d recordings -> %s in %.2f s (%.1f files/s), peak memory %.0f MB",
        len(audio_paths),
        " x ".join(map(str, features.shape)),
        seconds,
        len(audio_paths) / seconds,
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    )


def gather_features(
    manifest_path: str,
    chunk_paths: list[str],
    settings: dict,
    audio_checks: str,
    out_dir: str,
    facts_path: str,
) -> dict:
    """Chunk files are named by their chunk (``0003.npz``); each must have
    been extracted with ``settings``, which the facts record."""
    from ascflow.data.audio_folder import gather_chunks
    from ascflow.files import read_json, write_json

    manifest = read_json(manifest_path)
    chunks = {Path(path).stem: path for path in chunk_paths}
    facts = gather_chunks(manifest, chunks, settings, out_dir, audio_checks)
    for warning in facts["warnings"]:
        log.warning("%s", warning)
    write_json(facts_path, facts)
    log.info("%s: %s train / %s test clips", out_dir, facts["files"]["train"], facts["files"]["test"])
    return facts
