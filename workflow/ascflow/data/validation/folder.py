"""The files of a data folder, found, digested and memory-mapped without
ever unpickling them: the first check, before any value is read."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ascflow.errors import AscflowError
from ascflow.files import cached_file_digests

SPLITS = ("train", "test")
DATA_FILES = tuple(f"{kind}_{split}.npy" for split in SPLITS for kind in ("X", "y"))
CLASSES_FILE = "classes.txt"
NPY_MAGIC = b"\x93NUMPY"
#: Pickles of protocol 2 and later start with this opcode.
PICKLE_PROTOCOL_BYTE = b"\x80"
#: Optional: one recording (or location) id per clip, integers or names.
GROUP_FILES = tuple(f"groups_{split}.npy" for split in SPLITS)
#: Optional: one recording device name per clip (see :mod:`.devices`).
DEVICE_FILES = tuple(f"devices_{split}.npy" for split in SPLITS)


def data_paths(data_dir: str | Path) -> dict[str, Path]:
    """The four expected files of a data folder, keyed by stem (``X_train``)."""
    folder = Path(data_dir)
    return {name.removesuffix(".npy"): folder / name for name in DATA_FILES}


def group_paths(data_dir: str | Path) -> dict[str, Path]:
    """The optional group files of a data folder that exist, by stem (``groups_train``)."""
    folder = Path(data_dir)
    return {name.removesuffix(".npy"): folder / name for name in GROUP_FILES if (folder / name).is_file()}


def both_splits_or_none(paths: dict[str, Path], data_dir: str | Path, files: tuple[str, ...], what: str):
    """``paths`` (the optional per-split files that exist, by stem) by split,
    or None where neither exists; one missing is one sentence naming it."""
    if not paths:
        return None
    if len(paths) != len(SPLITS):
        missing = next(name for name in files if name.removesuffix(".npy") not in paths)
        raise AscflowError(
            f"{Path(data_dir) / missing}: missing, while the other split has {what}; give both or none."
        )
    return {split: paths[name.removesuffix(".npy")] for split, name in zip(SPLITS, files, strict=True)}


def data_digests(data_dir: str | Path, cache_path: str | Path | None = None) -> dict[str, str]:
    """Check that each data file is there and readable as ``.npy`` (its
    header, not its data); return the SHA-256 of each file, by name.

    The content identifies a file, not where it lies or its times: a file
    replaced in place with its old modification time (``cp -p``, an archive
    restore), which Snakemake's own modification-time check misses, has
    another digest, and a data folder copied or moved with its project has
    the same. The digests are remembered in ``cache_path`` against each
    file's state (:func:`ascflow.files.cached_file_digests`). Raises
    :class:`AscflowError` naming the first missing or unreadable file.
    """
    folder = Path(data_dir)
    if not folder.is_dir():
        raise AscflowError(f"data_dir {folder}: no such folder.")
    paths = []
    devices = [folder / name for name in DEVICE_FILES if (folder / name).is_file()]
    for path in [
        *data_paths(folder).values(),
        *group_paths(folder).values(),
        *devices,
        folder / CLASSES_FILE,
    ]:
        if path.name == CLASSES_FILE and not path.is_file():
            continue
        if path.suffix == ".npy":
            load_array(path)
        elif not os.access(path, os.R_OK):
            raise AscflowError(f"{path}: cannot be read.")
        paths.append(path)
    digests = cached_file_digests(paths, cache_path)
    return {path.name: digests[str(path)] for path in paths}


def load_array(path: str | Path) -> np.ndarray:
    """Memory-map a ``.npy`` file without ever unpickling it."""
    path = Path(path)
    if not path.is_file():
        raise AscflowError(f"{path}: file not found.")
    with open(path, "rb") as handle:
        magic = handle.read(len(NPY_MAGIC))
    if magic[:1] == PICKLE_PROTOCOL_BYTE:
        raise AscflowError(f"{path}: is a pickle, not a .npy file; save it with numpy.save.")
    if magic != NPY_MAGIC:
        raise AscflowError(f"{path}: not a .npy file (an .npz archive, text or another format?).")
    try:
        return np.load(path, mmap_mode="r", allow_pickle=False)
    except ValueError as error:
        if "object" in str(error).lower() or "pickle" in str(error).lower():
            raise AscflowError(
                f"{path}: holds Python objects (a pickled array); save a numeric array instead."
            ) from None
        raise AscflowError(f"{path}: not a readable .npy file ({error}).") from None
    except (OSError, EOFError) as error:
        raise AscflowError(f"{path}: not a readable .npy file ({error}).") from None
