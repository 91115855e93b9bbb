"""Reading and writing the workflow's files: whole or not at all.

Every file a job writes goes through :func:`atomic_path`: it is written under
a temporary name beside its target and renamed over it only once complete, so
that a kill, a full disk or an exception never leaves half a file under the
name the next job (or the next run) reads. Tables go through pandas.

The user's files (data arrays, recordings) are identified by their SHA-256,
which :func:`cached_file_digests` remembers against each file's state on disk
(:data:`DIGEST_CACHE`), so that an unchanged file is read once, not at every
run.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from glob import escape as glob_escape
from pathlib import Path

from ascflow.errors import AscflowError

#: Clips read from an array at a time: bounds memory whatever the data size.
CHUNK_CLIPS = 256

#: Cells that mean "no value" in a table, as Snakemake and pandas write them.
MISSING_CELLS = ("", "NA", "NaN", "nan", "None")


@contextmanager
def _full_disk_named(path: Path) -> Iterator[None]:
    """A full disk is the one write error a user can fix: it becomes an
    :class:`AscflowError` naming ``path``."""
    try:
        yield
    except OSError as error:
        if error.errno != errno.ENOSPC:
            raise
        raise AscflowError(
            f"{path}: no space left on the device to write it; free some space and run the workflow again."
        ) from error


def _partial_name(path: Path) -> Path:
    return path.with_name(f".partial-{os.getpid()}-{path.name}")


def _process_is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


def remove_stale_partials(path: Path) -> list[Path]:
    """Remove the partial files of ``path`` that a killed writer left (its
    process is gone): a job killed with SIGKILL, or a node lost, cannot
    clean up, and its rerun must not leave the stray file beside the
    output. Partials of live processes (another writer on this machine)
    stay. Returns what was removed."""
    removed = []
    for partial in path.parent.glob(f".partial-*-{glob_escape(path.name)}"):
        pid = partial.name.removeprefix(".partial-").split("-", 1)[0]
        if pid.isdigit() and not _process_is_alive(int(pid)):
            if partial.is_dir():
                shutil.rmtree(partial, ignore_errors=True)
            else:
                partial.unlink(missing_ok=True)
            removed.append(partial)
    return removed


@contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """A temporary path beside ``path`` to write to; renamed over ``path``
    when the block ends without error, removed when it raises.

    On a full disk (:func:`_full_disk_named`) the previous file under that
    name, if any, is left as it was.

    The temporary name ends in ``path``'s own name, so that libraries that
    insist on a suffix (Keras's ``.keras``, ``.weights.h5``; NumPy's
    ``.npy``) accept it.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_partials(path)
    partial = _partial_name(path)
    try:
        with _full_disk_named(path):
            yield partial
            partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


@contextmanager
def atomic_folder(path: str | os.PathLike) -> Iterator[Path]:
    """A temporary folder beside ``path`` to fill; put in place of ``path``
    (and of any folder there) when the block ends without error, removed
    when it raises: a folder of files that belong together is there whole
    or not at all."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_partials(path)
    partial = _partial_name(path)
    shutil.rmtree(partial, ignore_errors=True)
    try:
        with _full_disk_named(path):
            partial.mkdir()
            yield partial
            if path.exists():
                shutil.rmtree(path)
            partial.rename(path)
    finally:
        shutil.rmtree(partial, ignore_errors=True)


def write_text(path: str | os.PathLike, text: str) -> None:
    with atomic_path(path) as partial:
        partial.write_text(text)


def write_json(path: str | os.PathLike, payload: dict) -> None:
    write_text(path, json.dumps(payload, indent=2) + "\n")


def read_json(path: str | os.PathLike) -> dict:
    """A JSON file the workflow wrote; one sentence naming it if unreadable."""
    try:
        return json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError) as error:
        raise AscflowError(f"{path}: cannot read it as JSON ({error}).") from None


def content_digest(payload) -> str:
    """A SHA-256 of a JSON-able value, the same whatever the order of its keys."""
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def file_digest(path: str | os.PathLike) -> str:
    """The SHA-256 of a file's bytes, read in blocks."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


#: Where a working directory keeps the SHA-256 of the user's files by their
#: state on disk. Beside Snakemake's own record of what it ran (.snakemake/,
#: git-ignored, made in every working directory, the workflow's own folder or
#: one that uses it as a module): it is the same kind of memory, and whoever
#: deletes .snakemake to make Snakemake forget deletes this with it. Only a
#: cache: without it every file is read again, never trusted unread.
DIGEST_CACHE = ".snakemake/ascflow/file-digests.json"
DIGEST_CACHE_VERSION = 1


def file_state(path: str | os.PathLike) -> str:
    """What changes whenever a file's content may have: its size,
    modification and change time, inode and device. Replacing a file, even
    with its old modification time set back (``cp -p``, an archive restore),
    changes its change time, which no user can set."""
    facts = os.stat(path)
    return f"{facts.st_size}:{facts.st_mtime_ns}:{facts.st_ctime_ns}:{facts.st_ino}:{facts.st_dev}"


def cached_file_digests(
    paths: list[str | os.PathLike], cache_path: str | os.PathLike | None
) -> dict[str, str]:
    """The SHA-256 of each file, by its path as given. A file whose state
    (:func:`file_state`) is the one recorded in ``cache_path`` beside its
    digest is not read again; the others are read, and recorded where their
    state did not change while they were read. ``cache_path`` None: read
    every file.

    The files to read are hashed on every usable CPU at once: hashlib
    releases the GIL, and a first listing of a few thousand recordings is
    seconds of SHA-256 that the run waits for (2.9 s for 3.3 GB on one core
    here, 1.4 s on two).
    """
    from concurrent.futures import ThreadPoolExecutor

    cache = _read_digest_cache(cache_path) if cache_path is not None else {}
    digests, unread = {}, {}
    for path in paths:
        key, state = os.path.realpath(path), file_state(path)
        entry = cache.get(key)
        if isinstance(entry, dict) and entry.get("state") == state and isinstance(entry.get("sha256"), str):
            digests[str(path)] = entry["sha256"]
        else:
            unread[str(path)] = (key, state)
    with ThreadPoolExecutor(max_workers=len(os.sched_getaffinity(0))) as pool:
        read = dict(zip(unread, pool.map(file_digest, unread), strict=True))
    fresh = {}
    for path, (key, state) in unread.items():
        digests[path] = read[path]
        if file_state(path) == state:
            fresh[key] = {"state": state, "sha256": read[path]}
    if fresh and cache_path is not None:
        _record_digests(Path(cache_path), fresh)
    return {str(path): digests[str(path)] for path in paths}


def _read_digest_cache(cache_path: str | os.PathLike) -> dict:
    """The recorded digests by real path; none when the cache is missing,
    unreadable or of another version."""
    try:
        cache = json.loads(Path(cache_path).read_text())
    except (OSError, ValueError):
        return {}
    if not isinstance(cache, dict) or cache.get("version") != DIGEST_CACHE_VERSION:
        return {}
    files = cache.get("files")
    return files if isinstance(files, dict) else {}


def _record_digests(cache_path: Path, entries: dict) -> None:
    """Merge ``entries`` into the cache. Two runs may do so at once (a
    cluster's jobs parse the workflow each): an exclusive lock makes each
    read, merge and write in turn, so that neither loses the other's
    entries, and the write is a rename, so that a reader sees the old cache
    or the new one, never half of it. Entries of files gone are dropped. A
    cache that cannot be locked or written stays as it was."""
    try:
        cache_path.parent.mkdir(parents=True, exist_ok=True)
        with open(cache_path.with_name(cache_path.name + ".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            merged = _read_digest_cache(cache_path) | entries
            files = {key: merged[key] for key in sorted(merged) if os.path.exists(key)}
            write_json(cache_path, {"version": DIGEST_CACHE_VERSION, "files": files})
    except (OSError, AscflowError):
        pass


def save_array(path: str | os.PathLike, array) -> None:
    import numpy as np

    with atomic_path(path) as partial:
        np.save(partial, array)


def write_table(
    path: str | os.PathLike, rows: list[dict], columns: list[str] | tuple[str, ...] | None = None
) -> None:
    """A table with a header, tab-separated for ``.tsv`` and comma-separated
    otherwise; None is written as an empty cell."""
    import pandas as pd

    frame = pd.DataFrame(rows, columns=list(columns) if columns is not None else None).convert_dtypes()
    with atomic_path(path) as partial:
        frame.to_csv(partial, sep=_separator(path), index=False, na_rep="")


def read_table(path: str | os.PathLike) -> list[dict]:
    """A table with a header, one dict per row; integers stay integers and
    empty or NA cells are None."""
    import pandas as pd

    frame = pd.read_csv(path, sep=_separator(path), na_values=list(MISSING_CELLS), keep_default_na=False)
    frame = frame.convert_dtypes()
    return [{key: _plain(value) for key, value in row.items()} for row in frame.to_dict("records")]


def _separator(path: str | os.PathLike) -> str:
    return "\t" if str(path).endswith(".tsv") else ","


def _plain(value):
    """A pandas cell as a plain Python value (None for missing)."""
    import pandas as pd

    if value is pd.NA or (isinstance(value, float) and value != value):
        return None
    return value.item() if hasattr(value, "item") else value
