"""The tables of an audio folder in the DCASE layout: which files it has,
the scene label (and identifier) ``meta.csv`` gives each recording, and the
split ``split.csv`` or the fold lists give it; and where they list each
recording, for sentences about it.

Tables are tab- or comma-separated (told by the first line), with or without
a header row; without one, the columns are taken in the order docs/audio.md
gives (file, scene label, optional identifier; file, split). File names are
relative to ``audio_dir`` (``audio/a001.wav``, as DCASE writes them) or bare
names in ``audio/``. Tables that contradict each other (a fold list giving a
file another scene label than ``meta.csv``, or two) stop with one sentence
naming the table and its row.
"""

from __future__ import annotations

import csv
from pathlib import Path

from ascflow.data.validation import SPLITS, device_of_name, recording_of_name
from ascflow.errors import AscflowError

AUDIO_FOLDER = "audio"
#: ``meta.csv``; ``meta.txt`` is the name DCASE 2017 gave the same table.
META_FILES = ("meta.csv", "meta.txt")
SPLIT_FILE = "split.csv"
#: The DCASE evaluation setup of the first fold: (train, test) lists.
FOLD_FILES = (
    ("evaluation_setup/fold1_train.txt", "evaluation_setup/fold1_evaluate.txt"),
    ("evaluation_setup/fold1_train.csv", "evaluation_setup/fold1_evaluate.csv"),
)

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
    group, device, line}``, and whether it has an identifier column.

    Without one, a file's group is its recording: its name less a DCASE
    device suffix (``-a``, ``-s1``), so that the devices that heard one
    segment stay on one side of every split. Its device is the device
    (``source_label``) column's, or else its name's suffix, or None."""
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
        device = _cell(cells, positions.get("device")) or device_of_name(key)
        entries.append(
            {
                "file": key,
                "label": label,
                "group": group or recording_of_name(key),
                "device": device,
                "line": number,
            }
        )
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
