"""The listing of an audio folder: the recordings its tables put in a
split, in ``meta.csv`` order, cut into chunks of ``chunk_files``, each
extracted by one job into one chunk file; and the recordings left out.

Files keep the order of ``meta.csv``: they are cut into chunks in that
order (and gathered back in it), so that adding recordings at the end of
``meta.csv`` leaves the earlier chunks as they were. The scenes must be at
least two, each with training recordings. Recordings on disk that
``meta.csv`` does not list are left out and named, or (``audio_checks:
error``) stop the listing.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ascflow.data.audio_folder.tables import AUDIO_FOLDER, layout_files, read_meta, read_split
from ascflow.data.validation import SPLITS
from ascflow.errors import AscflowError
from ascflow.files import atomic_path, cached_file_digests

#: Files in ``audio/`` that count as recordings (the formats soundfile reads).
AUDIO_SUFFIXES = (".wav", ".flac", ".ogg", ".aif", ".aiff")
#: Files named in a warning or an error before it says "and N more".
NAMED = 10


def named(files: list[str]) -> str:
    """The first :data:`NAMED` names, and how many more."""
    shown = ", ".join(files[:NAMED])
    return shown + (f" and {len(files) - NAMED} more" if len(files) > NAMED else "")


def recordings_on_disk(audio_dir: str | Path) -> list[str]:
    """The recordings in ``audio/``, as names relative to ``audio_dir``, sorted."""
    folder = Path(audio_dir, AUDIO_FOLDER)
    if not folder.is_dir():
        return []
    return sorted(
        f"{AUDIO_FOLDER}/{path.name}"
        for path in folder.iterdir()
        if path.suffix.lower() in AUDIO_SUFFIXES and not path.name.startswith(".") and path.is_file()
    )


def recordings_below(folder: str | Path) -> list[str]:
    """Every recording in ``folder`` and the folders below it (hidden ones
    left out), as POSIX paths relative to ``folder``, sorted."""
    folder = Path(folder)
    return sorted(
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if path.suffix.lower() in AUDIO_SUFFIXES
        and path.is_file()
        and not any(part.startswith(".") for part in path.relative_to(folder).parts)
    )


def _check_scenes(used: list[dict], meta: Path) -> None:
    """The scenes must be at least two, and each must have a training
    recording: a scene the test split alone has is one no model can learn,
    so the tables contradict each other. (Validation counts the training
    clips each scene needs for its split, and names the recordings.)"""
    scenes = list(dict.fromkeys(entry["label"] for entry in used))
    if len(scenes) < 2:
        raise AscflowError(
            f"{meta}: every recording in the splits is of scene {scenes[0]!r}; at least 2 scenes are needed."
        )
    training = {entry["label"] for entry in used if entry["split"] == "train"}
    test_only = [entry for entry in used if entry["label"] not in training]
    if test_only:
        entry = test_only[0]
        raise AscflowError(
            f"{entry['table']} line {entry['table_line']}: {entry['file']} is a test recording of scene "
            f"{entry['label']!r} ({meta.name} line {entry['line']}), which no training recording has; "
            "every scene needs training recordings."
        )


def chunk_id(index: int) -> str:
    return f"{index:04d}"


def list_recordings(audio_dir: str | Path, chunk_files: int, audio_checks: str = "warn") -> dict:
    """The manifest of an audio folder: every recording with a split, in
    ``meta.csv`` order, with its label, group, split and chunk; and the
    recordings left out (not listed, or in no split). Each recording's
    device is None where neither ``meta.csv`` nor its name gives one."""
    folder = Path(audio_dir)
    files = layout_files(folder)
    meta = files["meta"][0]
    entries, has_groups = read_meta(meta)
    splits = read_split(files["split"], meta, entries)
    for entry in entries:  # those in no split are left out, there or not
        if entry["file"] in splits and not (folder / entry["file"]).is_file():
            raise AscflowError(f"{folder / entry['file']}: listed in {files['meta'][0].name} but not found.")
    for split in SPLITS:
        if split not in {where["split"] for where in splits.values()}:
            raise AscflowError(
                f"{files['split'][-1]}: no file is in the {split} split; the workflow needs both splits."
            )
    listed = {entry["file"] for entry in entries}
    unlisted = [name for name in recordings_on_disk(folder) if name not in listed]
    if unlisted and audio_checks == "error":
        raise AscflowError(
            f"{folder / AUDIO_FOLDER}: {len(unlisted)} recordings are not listed in {files['meta'][0].name} "
            f"({named(unlisted)}); list them, or set audio_checks: warn to leave them out."
        )
    rows = [
        entry | {"split": where["split"], "table": where["table"], "table_line": where["line"]}
        for entry in entries
        if (where := splits.get(entry["file"]))
    ]
    _check_scenes(rows, meta)
    # The listing leaves the tables' line numbers out (recording_rows reads
    # them when a sentence needs them): a line added above changes nothing.
    used = [{key: entry[key] for key in ("file", "label", "group", "device", "split")} for entry in rows]
    for position, entry in enumerate(used):
        entry["chunk"] = chunk_id(position // chunk_files)
    return {
        "audio_dir": str(folder),
        "meta": files["meta"][0].name,
        "split_source": " + ".join(str(path.relative_to(folder)) for path in files["split"]),
        "has_groups": has_groups,
        "chunk_files": chunk_files,
        "chunks": sorted({entry["chunk"] for entry in used}),
        "files": used,
        "unlisted": unlisted,
        "unsplit": [entry["file"] for entry in entries if entry["file"] not in splits],
    }


def chunk_paths(manifest: dict, chunk: str) -> list[str]:
    """The recordings of one chunk, as paths, in file order."""
    return [
        str(Path(manifest["audio_dir"], entry["file"]))
        for entry in manifest["files"]
        if entry["chunk"] == chunk
    ]


def chunk_digests(manifest: dict, chunk: str, cache_path: str | Path | None = None) -> dict[str, str]:
    """The SHA-256 of each recording of one chunk (:func:`recording_digests`)."""
    entries = [entry for entry in manifest["files"] if entry["chunk"] == chunk]
    return recording_digests({**manifest, "files": entries}, cache_path)


def read_chunk(path: str | Path) -> tuple[np.ndarray, list[dict], dict]:
    """A chunk file's features, per-file facts and the settings they were
    extracted with (written by the extraction)."""
    with np.load(path, allow_pickle=False) as chunk:
        return chunk["features"], json.loads(str(chunk["facts"])), json.loads(str(chunk["settings"]))


def save_chunk(path: str | Path, features: np.ndarray, facts: list[dict], settings: dict) -> None:
    """One file per chunk, whole or not at all: a killed job leaves none."""
    with atomic_path(path) as partial:
        np.savez(
            partial,
            features=features,
            facts=np.array(json.dumps(facts)),
            settings=np.array(json.dumps(settings, sort_keys=True)),
        )


def recording_digests(manifest: dict, cache_path: str | Path | None = None) -> dict[str, str]:
    """The SHA-256 of each listed recording, by its name in the listing
    (relative to ``audio_dir``, so not where the folder lies), remembered
    against each file's state (:func:`ascflow.files.cached_file_digests`): a
    recording replaced, even with an older modification time, has another
    digest. A file that is gone is left to the listing, which names it."""
    paths = {entry["file"]: Path(manifest["audio_dir"], entry["file"]) for entry in manifest["files"]}
    present = {name: path for name, path in paths.items() if path.is_file()}
    digests = cached_file_digests(list(present.values()), cache_path)
    return {name: digests[str(present[name])] if name in present else "missing" for name in paths}
