"""A folder of recordings in the DCASE layout: what it lists, in chunks, and
the chunks' features gathered into the data folder validation reads.

The layout (README.md, "From audio recordings")::

    audio_dir/
      audio/*.wav
      meta.csv          file, scene label, optional recording/location identifier
      split.csv         file, train | test
      (or evaluation_setup/fold1_train.txt and fold1_evaluate.txt instead of split.csv)

Tables are tab- or comma-separated (told by the first line), with or without a
header row; without one, the columns are taken in the order above. File names
are relative to ``audio_dir`` (``audio/a001.wav``, as DCASE writes them) or bare
names in ``audio/``. Files keep the order of ``meta.csv``: they are cut into
chunks of ``chunk_files`` in that order, and gathered back in it, so that
adding recordings at the end of ``meta.csv`` leaves the earlier chunks as they
were.

Every problem a user must fix raises :class:`AscflowError` with one sentence
naming the file (a table and its row, or a recording): among them tables
that contradict each other (a fold list giving a file another scene label
than ``meta.csv``, or two) and a scene that only the test split has.
Recordings on disk that ``meta.csv`` does not list, clips that are wholly
silent, recordings shorter than their header promises (truncated) and clips
much shorter than ``clip_s`` (:data:`ascflow.data.audio.SHORT_CLIP`) are
warnings, named in the extraction's facts, or errors with
``audio_checks: error``. What validation finds in the gathered arrays names
the recordings and table rows each clip comes from (:class:`RecordingNames`).
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from contextlib import ExitStack
from functools import cached_property
from pathlib import Path

import numpy as np

from ascflow.data.audio import SHORT_CLIP
from ascflow.data.validation import ClipNames
from ascflow.errors import AscflowError
from ascflow.files import atomic_path, cached_file_digests, write_text

AUDIO_FOLDER = "audio"
#: ``meta.csv``; ``meta.txt`` is the name DCASE 2017 gave the same table.
META_FILES = ("meta.csv", "meta.txt")
SPLIT_FILE = "split.csv"
#: The DCASE evaluation setup of the first fold: (train, test) lists.
FOLD_FILES = (
    ("evaluation_setup/fold1_train.txt", "evaluation_setup/fold1_evaluate.txt"),
    ("evaluation_setup/fold1_train.csv", "evaluation_setup/fold1_evaluate.csv"),
)
SPLITS = ("train", "test")
#: Files in ``audio/`` that count as recordings (the formats soundfile reads).
AUDIO_SUFFIXES = (".wav", ".flac", ".ogg", ".aif", ".aiff")
#: Header names of each column, lowercase; the first cell of a header row is
#: one of the file names.
COLUMNS = {
    "file": ("filename", "file", "file_name", "path", "audio"),
    "label": ("scene_label", "label", "scene", "class"),
    "group": ("identifier", "location", "location_id", "recording", "recording_id"),
    "split": ("split", "set", "subset"),
    # The recording device (DCASE 2019-2025 Task 1's source_label: a, b, c, s1...).
    "device": ("device", "source_label", "device_label", "source"),
}
#: The files the gather writes into the data folder, besides ``classes.txt``.
GATHERED = tuple(f"{kind}_{split}.npy" for split in SPLITS for kind in ("X", "y", "groups"))
#: Files named in a warning or an error before it says "and N more".
NAMED = 10


def layout_files(audio_dir: str | Path) -> dict[str, list[Path]]:
    """The listing files of an audio folder: ``meta`` and ``split`` (one
    ``split.csv``, or the two fold lists); one sentence when one is missing."""
    folder = Path(audio_dir)
    if not folder.is_dir():
        raise AscflowError(f"audio_dir {folder}: no such folder.")
    meta = next((folder / name for name in META_FILES if (folder / name).is_file()), None)
    if meta is None:
        raise AscflowError(f"audio_dir {folder}: has no meta.csv (file, scene label, optional identifier).")
    if (folder / SPLIT_FILE).is_file():
        return {"meta": [meta], "split": [folder / SPLIT_FILE]}
    for train, test in FOLD_FILES:
        if (folder / train).is_file() and (folder / test).is_file():
            return {"meta": [meta], "split": [folder / train, folder / test]}
    raise AscflowError(
        f"audio_dir {folder}: has neither split.csv nor evaluation_setup/fold1_train.txt and "
        "fold1_evaluate.txt, so no file is known to be for training or testing."
    )


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


def read_scene_labels(path: str | Path) -> tuple[dict[str, dict], str | None] | None:
    """The scene label (and device, where a ``device`` or ``source_label``
    column has one) of each file a ``meta.csv`` lists, by its name as
    written; and the device column's name. None when the table has no scene
    label column, as DCASE's evaluation sets have none."""
    path = Path(path)
    header, rows, names = _table(path)
    if header is None:  # file, label, and perhaps identifier, as read_meta reads it
        if not any(len(cells) > 1 for _, cells in rows):
            return None
        header = {"file": 0, "label": 1}
    if "label" not in header:
        return None
    device_column = names[header["device"]] if "device" in header else None
    labels = {
        name: {"label": label, "line": number, "device": _cell(cells, header.get("device")) or None}
        for number, cells, name, label in _labelled_rows(path, rows, header, _as_written)
    }
    return labels, device_column


def named(files: list[str]) -> str:
    """The first :data:`NAMED` names, and how many more."""
    shown = ", ".join(files[:NAMED])
    return shown + (f" and {len(files) - NAMED} more" if len(files) > NAMED else "")


def _file_key(name: str) -> str:
    """A listed file as a path relative to ``audio_dir``: bare names are in ``audio/``."""
    name = _as_written(name)
    return name if "/" in name else f"{AUDIO_FOLDER}/{name}"


def _rows(path: Path) -> tuple[dict[str, int] | None, list[tuple[int, list[str]]]]:
    """A table's column positions by role (None without a header row) and
    its rows as (line number, cells), blank and ``#`` lines left out."""
    header, rows, _ = _table(path)
    return header, rows


def _table(path: Path) -> tuple[dict[str, int] | None, list[tuple[int, list[str]]], list[str]]:
    """:func:`_rows`, and the header row's cells, lowercase (none without one)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise AscflowError(f"{path}: cannot be read as a text table ({error}).") from None
    lines = [
        (number, line)
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not lines:
        raise AscflowError(f"{path}: lists no files.")
    delimiter = "\t" if "\t" in lines[0][1] else ","
    rows = [
        (number, [cell.strip() for cell in cells])
        for (number, _), cells in zip(
            lines, csv.reader([line for _, line in lines], delimiter=delimiter), strict=True
        )
    ]
    header = [cell.lower() for cell in rows[0][1]]
    if header[0] not in COLUMNS["file"]:
        return None, rows, []
    positions = {
        role: next(index for index, cell in enumerate(header) if cell in names)
        for role, names in COLUMNS.items()
        if any(cell in names for cell in header)
    }
    return positions, rows[1:], header


def _cell(cells: list[str], position: int | None) -> str:
    return cells[position] if position is not None and position < len(cells) else ""


def _as_written(name: str) -> str:
    """A listed file name as written, with forward slashes."""
    return name.replace("\\", "/").removeprefix("./")


def _labelled_rows(path: Path, rows, positions: dict[str, int], key_of):
    """Each row as (line number, cells, the file's key by ``key_of``, its
    scene label): every row names a file, once, and labels it."""
    first_line: dict[str, int] = {}
    for number, cells in rows:
        name = _cell(cells, positions["file"])
        if not name:
            raise AscflowError(f"{path} line {number}: has no file name.")
        key = key_of(name)
        if key in first_line:
            raise AscflowError(
                f"{path} line {number}: {key} is listed twice (first on line {first_line[key]})."
            )
        first_line[key] = number
        label = _cell(cells, positions["label"])
        if not label:
            raise AscflowError(f"{path} line {number}: {key} has no scene label.")
        yield number, cells, key, label


def read_meta(path: Path) -> tuple[list[dict], bool]:
    """The recordings ``meta.csv`` lists, in its order, as ``{file, label,
    group, line}``, and whether it has an identifier column."""
    header, rows = _rows(path)
    if header is not None and "label" not in header:
        raise AscflowError(f"{path}: the header names no scene label column ({', '.join(COLUMNS['label'])}).")
    positions = header or {"file": 0, "label": 1, "group": 2}
    has_groups = "group" in header if header is not None else any(len(cells) > 2 for _, cells in rows)
    entries = []
    for number, cells, key, label in _labelled_rows(path, rows, positions, _file_key):
        group = _cell(cells, positions.get("group"))
        if has_groups and not group:
            raise AscflowError(f"{path} line {number}: {key} has no recording identifier.")
        entries.append({"file": key, "label": label, "group": group or key, "line": number})
    return entries, has_groups


def read_split(split_files: list[Path], meta: Path, entries: list[dict]) -> dict[str, dict]:
    """Each file's split from ``split.csv`` or the fold lists, as ``{split,
    table, line}``. Every file they name must be listed in ``meta.csv``, have
    one split only and, where a list gives scene labels (DCASE's fold lists
    do), the label ``meta.csv`` gives it, once."""
    listed = {entry["file"]: entry for entry in entries}
    if len(split_files) == 1:
        header, rows = _rows(split_files[0])
        columns = header or {"file": 0, "split": 1}
        tagged = [
            (split_files[0], number, cells, _cell(cells, columns.get("split", 1)).lower(), columns)
            for number, cells in rows
        ]
    else:
        tagged = []
        for split, path in zip(SPLITS, split_files, strict=True):
            header, rows = _rows(path)
            columns = header or {"file": 0, "label": 1}
            tagged += [(path, number, cells, split, columns) for number, cells in rows]
    splits: dict[str, dict] = {}
    for path, number, cells, split, columns in tagged:
        key = _file_key(_cell(cells, columns.get("file", 0)))
        label = _cell(cells, columns.get("label"))
        if split not in SPLITS:
            raise AscflowError(f"{path} line {number}: {key} has split {split!r}; it must be train or test.")
        if key not in listed:
            raise AscflowError(f"{path} line {number}: {key} is not listed in {meta.name}.")
        first = splits.setdefault(key, {"split": split, "table": path, "line": number, "label": label})
        if first["split"] != split:
            raise AscflowError(f"{path} line {number}: {key} is in both the train and the test split.")
        if label and first["label"] and label != first["label"]:
            raise AscflowError(
                f"{path} line {number}: {key} is listed twice with different scene labels: {label!r} here "
                f"and {first['label']!r} on line {first['line']}."
            )
        if label and label != listed[key]["label"]:
            raise AscflowError(
                f"{path} line {number}: {key} has scene label {label!r}, but {meta.name} line "
                f"{listed[key]['line']} gives it {listed[key]['label']!r}."
            )
    return splits


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


def recording_rows(audio_dir: str | Path) -> dict[str, str]:
    """Where the tables of an audio folder list each recording, by its name
    (``meta.csv line 5, evaluation_setup/fold1_train.txt line 3``), for
    sentences about what was found once the recordings were gathered; read
    again from the tables then, so that the listing does not change (nor
    re-gather the features) when only their line numbers do. Empty where
    the tables cannot be read any more: the sentences then name the
    recordings alone."""
    folder = Path(audio_dir)
    try:
        files = layout_files(folder)
        entries, _ = read_meta(files["meta"][0])
        splits = read_split(files["split"], files["meta"][0], entries)
    except AscflowError:
        return {}
    rows = {entry["file"]: f"{files['meta'][0].name} line {entry['line']}" for entry in entries}
    for name, where in splits.items():
        rows[name] += f", {where['table'].relative_to(folder).as_posix()} line {where['line']}"
    return rows


class RecordingNames(ClipNames):
    """Validation's names for the arrays gathered from an audio folder: each
    clip is the recording it was extracted from, with the table rows that
    list it (:func:`recording_rows`, read once a sentence needs them)."""

    def __init__(self, manifest: dict):
        self.audio_dir = manifest["audio_dir"]
        self.meta = manifest["meta"]
        self.files = {
            split: [entry["file"] for entry in manifest["files"] if entry["split"] == split]
            for split in SPLITS
        }

    @cached_property
    def rows(self) -> dict[str, str]:
        return recording_rows(self.audio_dir)

    def array(self, stem: str) -> str:
        kind, split = stem.rsplit("_", 1)
        recordings = f"the {'training' if split == 'train' else 'test'} recordings in {self.audio_dir}"
        what = {"X": "the features of", "y": f"the scene labels {self.meta} gives", "groups": "the groups of"}
        return f"{what[kind]} {recordings}"

    def clip(self, split: str, index: int) -> str:
        name = self.files[split][index]
        return f"recording {name}" + (f" ({self.rows[name]})" if name in self.rows else "")


def chunk_id(index: int) -> str:
    return f"{index:04d}"


def list_recordings(audio_dir: str | Path, chunk_files: int, audio_checks: str = "warn") -> dict:
    """The manifest of an audio folder: every recording with a split, in
    ``meta.csv`` order, with its label, group, split and chunk; and the
    recordings left out (not listed, or in no split)."""
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
    used = [{key: entry[key] for key in ("file", "label", "group", "split")} for entry in rows]
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


def gather_chunks(
    manifest: dict, chunk_files: dict[str, str], settings: dict, out_dir: str | Path, audio_checks: str
) -> dict:
    """Write the chunks' features into ``X_<split>.npy`` in file order, the
    scene labels into ``y_<split>.npy``, the identifiers into
    ``groups_<split>.npy`` (each file its own group where ``meta.csv`` has
    none) and ``classes.txt``; return the extraction's facts. Every chunk
    must hold the listing's recordings, extracted with ``settings``. Features
    are written into memory-mapped files chunk by chunk, so memory stays
    bounded."""
    from numpy.lib.format import open_memmap

    out_dir = Path(out_dir)
    entries = manifest["files"]
    missing = sorted(set(manifest["chunks"]) - set(chunk_files))
    if missing:
        raise AscflowError(f"chunk {missing[0]} of {manifest['audio_dir']}: has no extracted features.")
    position = {split: 0 for split in SPLITS}
    row_of = []  # (split, row) of each entry, in file order
    for entry in entries:
        row_of.append((entry["split"], position[entry["split"]]))
        position[entry["split"]] += 1

    facts: list[dict] = []
    with ExitStack() as stack:
        partials = {split: stack.enter_context(atomic_path(out_dir / f"X_{split}.npy")) for split in SPLITS}
        arrays: dict[str, np.ndarray] = {}
        for chunk in manifest["chunks"]:
            features, chunk_facts, chunk_settings = read_chunk(chunk_files[chunk])
            if chunk_settings != settings:
                raise AscflowError(
                    f"{chunk_files[chunk]}: was extracted with other settings than the config's audio "
                    "section; delete it and run the workflow again to extract it anew."
                )
            indices = [index for index, entry in enumerate(entries) if entry["chunk"] == chunk]
            expected = [Path(manifest["audio_dir"], entries[index]["file"]) for index in indices]
            shape = arrays["train"].shape[1:] if arrays else features.shape[1:]
            if [Path(fact["path"]) for fact in chunk_facts] != expected or features.shape != (
                len(indices),
                *shape,
            ):
                raise AscflowError(
                    f"{chunk_files[chunk]}: holds other recordings than the listing gives chunk {chunk}; "
                    "delete it and run the workflow again to extract it anew."
                )
            if not arrays:
                arrays = {
                    split: open_memmap(partials[split], mode="w+", dtype=np.float32, shape=(rows, *shape))
                    for split, rows in position.items()
                }
            for offset, index in enumerate(indices):
                split, row = row_of[index]
                arrays[split][row] = features[offset]
            facts += [
                fact | {"file": entries[index]["file"]}
                for index, fact in zip(indices, chunk_facts, strict=True)
            ]
        if audio_checks == "error":
            _refuse_bent_clips(manifest["audio_dir"], facts, settings["clip_s"])
        for array in arrays.values():
            array.flush()
        arrays.clear()  # closes the memory maps before their files are renamed into place
    for split in SPLITS:
        chosen = [entry for entry in entries if entry["split"] == split]
        for kind, values in (("y", [e["label"] for e in chosen]), ("groups", [e["group"] for e in chosen])):
            with atomic_path(out_dir / f"{kind}_{split}.npy") as partial:
                np.save(partial, np.array(values, dtype=str))
    classes = sorted({entry["label"] for entry in entries})
    write_text(out_dir / "classes.txt", "".join(f"{name}\n" for name in classes))
    return extraction_facts(manifest, facts, settings["clip_s"]) | {"settings": settings}


def _refuse_bent_clips(audio_dir: str, facts: list[dict], clip_s: float) -> None:
    """Under ``audio_checks: error``: stop on the first wholly silent clip,
    truncated recording or short clip (:data:`ascflow.data.audio.SHORT_CLIP`),
    in that order, naming it and how many there are of its kind."""
    silent, truncated, short = (
        [fact for fact in facts if fact[kind]] for kind in ("silent", "truncated", "short")
    )
    if silent:
        raise AscflowError(
            f"{Path(audio_dir, silent[0]['file'])}: is wholly silent ({len(silent)} silent clips in all: "
            f"{named(_files(silent))}); remove them from meta.csv, or set audio_checks: warn to keep them."
        )
    if truncated:
        first = truncated[0]
        raise AscflowError(
            f"{Path(audio_dir, first['file'])}: is truncated, with {first['seconds']:.2f} s of the "
            f"{first['header_seconds']:.2f} s its header promises ({len(truncated)} truncated recordings in "
            f"all: {named(_files(truncated))}); replace them, remove them from meta.csv, or set "
            "audio_checks: warn to pad them with silence."
        )
    if short:
        raise AscflowError(
            f"{Path(audio_dir, short[0]['file'])}: lasts {short[0]['seconds']:.2f} s, under "
            f"{SHORT_CLIP:.0%} of audio.clip_s ({clip_s:g} s) ({len(short)} such clips in all: "
            f"{named(_files(short))}); remove them from meta.csv, lower audio.clip_s, or set "
            "audio_checks: warn to pad them with silence."
        )


def _files(facts: list[dict]) -> list[str]:
    return [fact["file"] for fact in facts]


def extraction_facts(manifest: dict, facts: list[dict], clip_s: float) -> dict:
    """What the extraction did, counted: files per split, clips mixed down,
    resampled, padded and cut, the files' own sample rates and channels, and
    the recordings named in warnings: left out, wholly silent, truncated
    (fewer samples than their header promises) and short (under
    :data:`ascflow.data.audio.SHORT_CLIP` of ``clip_s``, padded with more
    silence than rounding explains)."""
    count = Counter()
    for fact in facts:
        count.update(key for key in ("mixed_down", "resampled", "padded", "cut") if fact[key])
    silent, truncated, short = (
        _files([f for f in facts if f[kind]]) for kind in ("silent", "truncated", "short")
    )
    unlisted = manifest["unlisted"]
    warnings = []
    if unlisted:
        warnings.append(
            f"{len(unlisted)} recordings in {Path(manifest['audio_dir'], AUDIO_FOLDER)} are not listed in "
            f"{manifest['meta']} and were left out: {named(unlisted)}"
        )
    if silent:
        warnings.append(f"{len(silent)} clips are wholly silent: {named(silent)}")
    if truncated:
        warnings.append(
            f"{len(truncated)} recordings hold fewer samples than their header promises (truncated files), "
            f"padded with silence: {named(truncated)}"
        )
    if short:
        warnings.append(
            f"{len(short)} clips are shorter than {SHORT_CLIP:.0%} of audio.clip_s "
            f"({SHORT_CLIP * clip_s:g} of {clip_s:g} s), padded with silence: {named(short)}"
        )
    return {
        "audio_dir": manifest["audio_dir"],
        "meta": manifest["meta"],
        "split_source": manifest["split_source"],
        "groups_from": "identifier" if manifest["has_groups"] else "file",
        "files": {split: sum(entry["split"] == split for entry in manifest["files"]) for split in SPLITS},
        "chunks": len(manifest["chunks"]),
        "chunk_files": manifest["chunk_files"],
        "mixed_down": count["mixed_down"],
        "resampled": count["resampled"],
        "padded": count["padded"],
        "cut": count["cut"],
        "sample_rates": {
            str(rate): n for rate, n in sorted(Counter(f["sample_rate"] for f in facts).items())
        },
        "channels": {
            str(channels): n for channels, n in sorted(Counter(f["channels"] for f in facts).items())
        },
        "silent": silent,
        "truncated": truncated,
        "short": short,
        "short_below_s": SHORT_CLIP * clip_s,
        "unlisted": unlisted,
        "unsplit": len(manifest["unsplit"]),
        "warnings": warnings,
    }


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
