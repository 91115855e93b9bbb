"""Files written whole or not at all (and no partial file left behind by a
killed writer), and the SHA-256 of the user's files, remembered against
their state on disk: read once, read again whenever they may have changed,
and a cache that two processes can update at once."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import shutil
from pathlib import Path

import ascflow.files
from ascflow.files import cached_file_digests


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_digests_are_read_once_and_again_when_a_file_is_replaced(tmp_path, monkeypatch):
    data = tmp_path / "data"
    data.mkdir()
    first, second = data / "a.npy", data / "b.npy"
    first.write_bytes(b"first" * 1000)
    second.write_bytes(b"second" * 1000)
    cache = tmp_path / "cache/digests.json"
    assert cached_file_digests([first, second], cache) == {
        str(first): sha256(first),
        str(second): sha256(second),
    }

    read = []

    def counting_digest(path):
        read.append(os.path.basename(path))
        return hashlib.sha256(open(path, "rb").read()).hexdigest()

    monkeypatch.setattr(ascflow.files, "file_digest", counting_digest)
    assert cached_file_digests([first, second], cache)[str(first)] == sha256(first)
    assert read == []  # both unchanged: taken from the cache

    # Replaced in place, its old modification time set back (as cp -p does).
    times = first.stat()
    shutil.copyfile(second, first)
    os.utime(first, ns=(times.st_atime_ns, times.st_mtime_ns))
    assert cached_file_digests([first, second], cache)[str(first)] == sha256(second)
    assert read == ["a.npy"]

    # A copy elsewhere is read once, and has the same digest.
    copy = tmp_path / "copy"
    shutil.copytree(data, copy)
    assert cached_file_digests([copy / "b.npy"], cache)[str(copy / "b.npy")] == sha256(second)
    assert read == ["a.npy", "b.npy"]


def test_a_damaged_cache_is_ignored_and_rewritten(tmp_path):
    path = tmp_path / "a.wav"
    path.write_bytes(b"sound")
    cache = tmp_path / "digests.json"
    cache.write_text("{ not json")
    assert cached_file_digests([path], cache) == {str(path): sha256(path)}
    assert json.loads(cache.read_text())["files"][str(path.resolve())]["sha256"] == sha256(path)
    # Entries of files that are gone are dropped at the next update.
    path.unlink()
    other = tmp_path / "b.wav"
    other.write_bytes(b"other")
    cached_file_digests([other], cache)
    assert list(json.loads(cache.read_text())["files"]) == [str(other.resolve())]


def record_digests(paths: list[str], cache: str) -> None:
    """One update of the cache per file: many chances to overlap another's."""
    for path in paths:
        cached_file_digests([path], cache)


def test_processes_updating_the_cache_at_once_keep_every_entry(tmp_path):
    groups = []
    for process in range(6):
        paths = []
        for index in range(20):
            path = tmp_path / f"p{process}-{index}.bin"
            path.write_bytes(os.urandom(2000))
            paths.append(str(path))
        groups.append(paths)
    cache = str(tmp_path / "cache/digests.json")
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=record_digests, args=(paths, cache)) for paths in groups]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    recorded = json.loads(open(cache).read())["files"]
    expected = {os.path.realpath(path) for paths in groups for path in paths}
    assert set(recorded) == expected
    assert all(recorded[path]["sha256"] == sha256(Path(path)) for path in expected)
    assert not [name for name in os.listdir(tmp_path / "cache") if name.startswith(".partial-")]


def test_a_killed_writers_partial_file_goes_when_the_file_is_written_again(tmp_path):
    """A writer killed with SIGKILL leaves its partial file; the next write
    of the same file removes it, and leaves a live writer's alone."""
    target = tmp_path / "0004.npz"
    dead_pid = int(Path("/proc/sys/kernel/pid_max").read_text()) + 1  # no process has it
    killed = tmp_path / f".partial-{dead_pid}-0004.npz"
    killed.write_bytes(b"half")
    killed_folder = tmp_path / f".partial-{dead_pid}-bundle"
    (killed_folder / "inner").mkdir(parents=True)
    live = tmp_path / f".partial-{os.getppid()}-0004.npz"
    live.write_bytes(b"being written")
    other = tmp_path / f".partial-{dead_pid}-0005.npz"
    other.write_bytes(b"another file's")

    ascflow.files.write_text(target, "whole")
    with ascflow.files.atomic_folder(tmp_path / "bundle") as folder:
        (folder / "model.keras").write_text("model")

    assert target.read_text() == "whole" and (tmp_path / "bundle" / "model.keras").is_file()
    assert not killed.exists() and not killed_folder.exists()
    assert live.read_bytes() == b"being written" and other.exists()
