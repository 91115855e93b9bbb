"""Measuring instruments: timed processes, repeated figures, the CNN's FLOP
count, the matrix-product rate it is compared with, the machine, and the
Slurm probe that delays every Snakemake start."""

from __future__ import annotations

import os
import platform
import re
import resource
import shlex
import shutil
import statistics
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from ascflow.models.counting import forward_flops
from ascflow.models.specs import NetworkSpec

#: Forward and backward pass of one training clip, in forward passes (the
#: backward pass costs about twice the forward); a validation clip is one.
TRAINING_PASSES = 3


@dataclass(frozen=True)
class Timed:
    wall_s: float
    cpu_s: float  # user + system, of the process and every process it waited for
    output: str


def run_timed(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> Timed:
    """Run ``command`` to the end (in ``env``, default: this process's
    environment); raise with its error output if it fails."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise RuntimeError(f"{shlex.join(command[2:])} failed in {cwd}:\n{result.stderr[-3000:]}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return Timed(wall, cpu, result.stdout + result.stderr)


def median_of(measure: Callable[[], float], repeats: int) -> float:
    return statistics.median(measure() for _ in range(repeats))


def epoch_flops(spec: NetworkSpec, n_train: int, n_validation: int) -> float:
    """FLOPs of one epoch by the :data:`TRAINING_PASSES` convention; a forward
    pass is :func:`forward_flops` (2 FLOPs per multiply-add)."""
    return forward_flops(spec) * (TRAINING_PASSES * n_train + n_validation)


# --- TensorFlow in this process ----------------------------------------------

#: The thread count TensorFlow was set up with in this process; None: not yet.
_tensorflow_threads: int | None = None


def tensorflow_on(threads: int):
    """TensorFlow with its thread pools set before its first op, the way
    every network job sets them (:func:`configure_tensorflow`)."""
    global _tensorflow_threads
    from ascflow.models.network import configure_tensorflow

    if _tensorflow_threads is None:
        configure_tensorflow(threads, seed=0)
        _tensorflow_threads = threads
    elif _tensorflow_threads != threads:
        raise RuntimeError(f"TensorFlow already runs on {_tensorflow_threads} threads, not {threads}")
    import tensorflow as tf

    return tf


def matmul_gflops(threads: int, size: int, repeats: int) -> float:
    """The rate of a float32 ``size x size`` matrix product: the attainable
    peak that the CNN's rate is compared with."""
    tf = tensorflow_on(threads)
    left = tf.random.normal((size, size), dtype=tf.float32)
    right = tf.random.normal((size, size), dtype=tf.float32)
    product = tf.function(tf.matmul)
    product(left, right).numpy()  # traces, and warms the caches

    def once() -> float:
        started = time.perf_counter()
        product(left, right).numpy()  # .numpy() waits for the result
        return time.perf_counter() - started

    return 2 * size**3 / median_of(once, repeats) / 1e9


# --- where the figures were measured -------------------------------------------


def slurm_probe_seconds() -> float:
    """How long ``scontrol show config`` takes, where the Slurm executor plugin
    is installed: the plugin runs it whenever Snakemake starts (to word a help
    text, with a 10 s timeout), so a Slurm client whose controller does not
    answer delays every Snakemake command, local runs included. 0 where the
    plugin or ``scontrol`` is absent."""
    if _version("snakemake-executor-plugin-slurm") is None or shutil.which("scontrol") is None:
        return 0.0
    started = time.perf_counter()
    try:
        subprocess.run(["scontrol", "show", "config"], capture_output=True, timeout=10)
    except subprocess.TimeoutExpired:
        pass
    return time.perf_counter() - started


def machine() -> list[list[str]]:
    """What the figures were measured on: (item, value) rows."""
    model = _proc_field("/proc/cpuinfo", r"^model name\s*:\s*(.*)$")
    memory_kb = _proc_field("/proc/meminfo", r"^MemTotal:\s*(\d+) kB")
    return [
        ["CPU", model or platform.processor() or "unknown"],
        ["usable CPUs", str(len(os.sched_getaffinity(0)))],
        ["memory", f"{int(memory_kb) / 2**20:.1f} GiB" if memory_kb else "unknown"],
        ["Python", platform.python_version()],
        ["TensorFlow", _first_installed("tensorflow-cpu", "tensorflow")],
        ["Snakemake", _first_installed("snakemake")],
        ["scikit-learn", _first_installed("scikit-learn")],
    ]


def _proc_field(path: str, pattern: str) -> str | None:
    """The first group of ``pattern``'s first match in a /proc file; None if either is absent."""
    text = Path(path).read_text() if Path(path).is_file() else ""
    match = re.search(pattern, text, flags=re.MULTILINE)
    return match[1] if match else None


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def _first_installed(*distributions: str) -> str:
    """``name version`` of the first distribution installed, or ``absent``."""
    for distribution in distributions:
        if (version := _version(distribution)) is not None:
            return f"{distribution} {version}"
    return "absent"
