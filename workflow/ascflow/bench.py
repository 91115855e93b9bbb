"""The benchmark: what the workflow costs, against its performance targets.

Run from the repository root::

    .venv/bin/python -m ascflow.bench            # everything (15-25 minutes on two cores)
    .venv/bin/python -m ascflow.bench --quick    # small sizes, one repeat: a smoke test

It prints tables and ends with one ``bench:`` line of ``key=value`` pairs
(:func:`expected_keys`). Every workflow run happens in a temporary directory
of its own, through Snakemake's command line (``sys.executable -m
snakemake``): nothing here imports Snakemake.

What is measured (docs/performance.md has the latest figures):

* ``default_s``: a clean ``snakemake --cores 8`` on the built-in data, the
  whole default target; ``plain_s``: the same five trainings and test
  predictions as one plain script (:mod:`ascflow.bench_plain`) on the data
  that run generated; ``overhead_ratio = default_s / plain_s``. The ``_cpu_s``
  twins are user + system seconds of every process involved, which other
  tenants of a shared machine disturb less than wall time.
* ``noop_s``: ``snakemake --cores 8`` again, with nothing to do;
  ``report_s``: the report rules forced to run again.
* ``cnn_gflops``: the CNN's training rate in the default run (median epoch
  from the second on), beside ``matmul_gflops``, a float32 matrix product on
  as many threads. Convention: a training clip costs 3 forward passes
  (the backward pass about twice the forward), a validation clip one; a
  forward pass is :func:`ascflow.params.forward_flops` (2 FLOPs per
  multiply-add of the convolutions and the dense layer).
* ``peak_rss_mb_max``: the largest ``max_rss`` of any job's ``benchmark:`` file.
* full size: one short run at the reference size (4,500 / 1,500 clips, two
  epochs) gives the epoch and forest times, scaled to 50 epochs, and every
  job's peak memory there.
* scaling: a 100-tree forest fit and a CNN epoch at growing training sizes,
  as cost per clip, through the functions the jobs call.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import platform
import re
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import numpy as np
import yaml

from ascflow.bench_plain import format_line, steady_epoch_seconds
from ascflow.models.jobs import network_spec, usable_threads
from ascflow.params import forward_flops
from ascflow.runner import snakemake_command

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "config" / "config.yaml"
#: What regenerating the report re-runs (README: "Regenerate it").
REPORT_RULES = ("render_figures", "render_report")
#: The README's command line: a user asks for 8 cores whatever the machine has.
DEFAULT_CORES = 8
#: Forward and backward pass of one training clip, in forward passes.
TRAINING_PASSES = 3
#: The epochs the full-size estimate is scaled to (the reference study's budget).
REFERENCE_EPOCHS = 50
#: 2.5 GB in the MiB that Snakemake's ``max_rss`` column counts.
MEMORY_TARGET_MB = 2.5e9 / 2**20

BENCH_KEYS = (
    "default_s",
    "default_cpu_s",
    "generate_s",
    "plain_s",
    "plain_cpu_s",
    "overhead_ratio",
    "overhead_cpu_ratio",
    "noop_s",
    "report_s",
    "cnn_gflops",
    "matmul_gflops",
    "cnn_peak_ratio",
    "peak_rss_mb_max",
    "threads",
    "slurm_probe_s",
)
FULL_SIZE_KEYS = (
    "full_cnn_epoch_s",
    "full_lstm_epoch_s",
    "full_rf_fit_s",
    "full_estimate_s",
    "full_peak_rss_mb_max",
)
SCALING_KEYS = ("rf_cost_growth", "cnn_cost_growth", "cnn_isolated_gflops", "cnn_isolated_peak_ratio")
#: (figure, comparison, bound) of each performance target.
TARGETS = (
    ("default_s", "<=", 240),
    ("overhead_ratio", "<=", 1.10),
    ("noop_s", "<=", 2),
    ("report_s", "<=", 15),
    ("cnn_peak_ratio", ">=", 0.6),
    ("full_peak_rss_mb_max", "<=", MEMORY_TARGET_MB),
)

log = logging.getLogger("ascflow.bench")


@dataclass(frozen=True)
class Sizes:
    """How much work each part does: :data:`FULL` or :data:`QUICK`."""

    default_data: dict  # config override of the default run; empty: config.yaml as is
    network_epochs: int | None  # override of both networks' epochs in the default run
    repeats: int  # of each figure that takes under a minute
    full_size_data: dict  # the reference-size run
    full_size_epochs: int
    scaling_clips: tuple[int, ...]
    scaling_epochs: int  # the first traces the graph; the others are the repeats
    matmul_size: int


FULL = Sizes(
    default_data={},
    network_epochs=None,
    repeats=3,
    full_size_data={"n_train": 4500, "n_test": 1500},
    full_size_epochs=2,
    scaling_clips=(500, 1000, 2000),
    scaling_epochs=4,
    matmul_size=2048,
)
QUICK = Sizes(
    default_data={"n_train": 150, "n_test": 60},
    network_epochs=2,
    repeats=1,
    full_size_data={"n_train": 300, "n_test": 60},
    full_size_epochs=2,
    scaling_clips=(60, 120, 240),
    scaling_epochs=2,
    matmul_size=1024,
)


# --- processes and configs -------------------------------------------------


@dataclass(frozen=True)
class Timed:
    wall_s: float
    cpu_s: float  # user + system, of the process and every process it waited for
    output: str


def run_timed(command: list[str], cwd: Path) -> Timed:
    """Run ``command`` to the end; raise with its error output if it fails."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise RuntimeError(f"{shlex.join(command[2:])} failed in {cwd}:\n{result.stderr[-3000:]}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return Timed(wall, cpu, result.stdout + result.stderr)


def run_snakemake(workdir: Path, config_files: list[Path], *args: str) -> Timed:
    command = snakemake_command(workdir, *args, "--configfile", *(str(path) for path in config_files))
    return run_timed(command, workdir)


def run_overrides(default_data: dict, epochs: int | None) -> dict:
    """Config sections that change a run's size."""
    overrides: dict = {"default_data": default_data} if default_data else {}
    if epochs:
        overrides.update(cnn={"epochs": epochs}, lstm={"epochs": epochs})
    return overrides


def config_files(workdir: Path, overrides: dict) -> list[Path]:
    """config.yaml, then a file of ``overrides``, which Snakemake merges in
    key by key. A file rather than ``--config``, which passes the numbers
    inside a mapping as strings, so that the config schema rejects them."""
    if not overrides:
        return [CONFIG]
    override_file = workdir / "bench_overrides.yaml"
    override_file.write_text(yaml.safe_dump(overrides))
    return [CONFIG, override_file]


def merged_config(overrides: dict) -> dict:
    """config.yaml with ``overrides`` merged in, as Snakemake merges them."""

    def merge(base: dict, update: dict) -> dict:
        merged = dict(base)
        for key, value in update.items():
            both_mappings = isinstance(value, dict) and isinstance(base.get(key), dict)
            merged[key] = merge(base[key], value) if both_mappings else value
        return merged

    return merge(yaml.safe_load(CONFIG.read_text()), overrides)


def median_of(measure: Callable[[], float], repeats: int) -> float:
    return statistics.median(measure() for _ in range(repeats))


# --- what a finished run left behind -----------------------------------------


def benchmark_table(workdir: Path) -> dict[str, dict[str, float]]:
    """Each job's wall seconds and peak RSS from its ``benchmark:`` file, by
    job (``train_network/cnn``); a file's last line is the job's last run."""
    table = {}
    root = workdir / "benchmarks"
    for path in sorted(root.rglob("*.tsv")):
        with open(path, newline="") as handle:
            rows = list(csv.DictReader(handle, delimiter="\t"))
        if rows:
            job = str(path.relative_to(root).with_suffix(""))
            table[job] = {"s": float(rows[-1]["s"]), "max_rss_mb": float(rows[-1]["max_rss"])}
    return table


def epoch_seconds(workdir: Path, model: str) -> list[float]:
    with open(workdir / "results" / "models" / f"{model}.history.csv", newline="") as handle:
        return [float(row["seconds"]) for row in csv.DictReader(handle)]


def cnn_epoch_flops(workdir: Path, config: dict) -> tuple[float, dict]:
    """FLOPs of one CNN epoch of a finished run, by the :data:`TRAINING_PASSES`
    convention, and what they were computed from."""
    from ascflow.models.network import holdout_split

    summary = json.loads((workdir / "results" / "data" / "summary.json").read_text())
    labels = np.load(workdir / "results" / "data" / "labels_train.npy")
    input_shape = (summary["n_features"], summary["n_frames"], 1)
    spec = network_spec("cnn", input_shape, summary["n_classes"], config["cnn"])
    train_index, validation_index = holdout_split(labels, config["validation"]["fraction"], config["seed"])
    clip_flops = forward_flops(spec)
    flops = clip_flops * (TRAINING_PASSES * train_index.size + validation_index.size)
    return flops, {"clip": clip_flops, "train": train_index.size, "validation": validation_index.size}


# --- TensorFlow in this process ----------------------------------------------

_tensorflow_threads: list[int] = []  # the thread count TensorFlow was set up with, once


def tensorflow_on(threads: int):
    """TensorFlow with its thread pools set before its first op, the way
    every network job sets them (:func:`configure_tensorflow`)."""
    from ascflow.models.network import configure_tensorflow

    if not _tensorflow_threads:
        configure_tensorflow(threads, seed=0)
        _tensorflow_threads.append(threads)
    elif _tensorflow_threads[0] != threads:
        raise RuntimeError(f"TensorFlow already runs on {_tensorflow_threads[0]} threads, not {threads}")
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


# --- the benchmark -------------------------------------------------------------


@dataclass
class Bench:
    sizes: Sizes
    threads: int
    work_root: Path
    figures: dict = field(default_factory=dict)
    matmul_samples: list[float] = field(default_factory=list)

    def workdir(self, name: str) -> Path:
        path = self.work_root / name
        path.mkdir(parents=True)
        return path

    def sample_matmul(self) -> None:
        """One more matrix-product rate. Samples are taken before and after
        the runs they are compared with, as a shared machine's load drifts."""
        self.matmul_samples.append(
            matmul_gflops(self.threads, self.sizes.matmul_size, 5 * self.sizes.repeats)
        )
        self.figures["matmul_gflops"] = statistics.median(self.matmul_samples)

    def default_run(self) -> Path:
        """The clean default run, the no-op run, the report alone, the CNN's
        rate and every job's memory; returns the run's folder."""
        workdir = self.workdir("default")
        overrides = run_overrides(self.sizes.default_data, self.sizes.network_epochs)
        files = config_files(workdir, overrides)
        cores = ("--cores", str(DEFAULT_CORES))
        log.info("default run in %s", workdir)
        clean = run_snakemake(workdir, files, *cores)
        self.figures.update(default_s=clean.wall_s, default_cpu_s=clean.cpu_s)

        def noop() -> float:
            again = run_snakemake(workdir, files, *cores)
            if "Nothing to be done" not in again.output:
                raise RuntimeError(f"the second run in {workdir} had work to do:\n{again.output[-2000:]}")
            return again.wall_s

        self.figures["noop_s"] = median_of(noop, self.sizes.repeats)
        self.figures["report_s"] = median_of(
            lambda: run_snakemake(workdir, files, *cores, "--forcerun", *REPORT_RULES).wall_s,
            self.sizes.repeats,
        )

        flops, clips = cnn_epoch_flops(workdir, merged_config(overrides))
        epoch = steady_epoch_seconds(epoch_seconds(workdir, "cnn"))
        self.figures["cnn_gflops"] = flops / epoch / 1e9
        print_table(
            "CNN training rate in the default run (history.csv)",
            [
                "forward MFLOP/clip",
                "training clips",
                "validation clips",
                "epoch s (median from 2nd)",
                "GFLOP/s",
            ],
            [[clips["clip"] / 1e6, clips["train"], clips["validation"], epoch, self.figures["cnn_gflops"]]],
        )
        jobs = benchmark_table(workdir)
        self.figures["generate_s"] = jobs.get("generate_default_data", {}).get("s", 0.0)
        self.figures["peak_rss_mb_max"] = max(job["max_rss_mb"] for job in jobs.values())
        print_table(
            "Jobs of the default run (benchmarks/**.tsv; report rules: their last forced run)",
            ["job", "wall s", "peak RSS MB"],
            [[job, row["s"], row["max_rss_mb"]] for job, row in jobs.items()],
        )
        return workdir

    def plain_run(self, default_workdir: Path) -> None:
        """:mod:`ascflow.bench_plain` on the data the default run generated,
        following the same config."""
        workdir = self.workdir("plain")
        plain_config = workdir / "config.yaml"
        overrides = run_overrides(self.sizes.default_data, self.sizes.network_epochs)
        plain_config.write_text(yaml.safe_dump(merged_config(overrides)))
        data_dir = default_workdir / "resources" / "default"
        command = [sys.executable, "-m", "ascflow.bench_plain", str(data_dir), "--config", str(plain_config)]
        plain = run_timed([*command, "--threads", str(self.threads)], workdir)
        self.figures.update(plain_s=plain.wall_s, plain_cpu_s=plain.cpu_s)
        self.figures["overhead_ratio"] = self.figures["default_s"] / plain.wall_s
        self.figures["overhead_cpu_ratio"] = self.figures["default_cpu_s"] / plain.cpu_s
        parts = parse_line(plain.output, "plain")
        print_table(
            "Plain script (one process, no Snakemake)",
            ["part", "value"],
            [[key, value] for key, value in parts.items()],
        )

    def full_size(self) -> None:
        """A short run at the reference size: every job once, the networks for
        a few epochs. On ``--cores`` = this machine's CPUs, so that training
        jobs run one at a time and their epoch times are their own."""
        workdir = self.workdir("full_size")
        overrides = run_overrides(self.sizes.full_size_data, self.sizes.full_size_epochs)
        log.info("reference-size run in %s", workdir)
        run = run_snakemake(workdir, config_files(workdir, overrides), "--cores", str(self.threads))
        rows, estimate, forest_fits = [], 0.0, 0.0
        jobs = benchmark_table(workdir)
        for job, row in jobs.items():
            rule, _, model = job.partition("/")
            estimated = row["s"]
            if rule == "train_network":
                seconds = epoch_seconds(workdir, model)
                self.figures[f"full_{model}_epoch_s"] = steady_epoch_seconds(seconds)
                estimated += (REFERENCE_EPOCHS - len(seconds)) * steady_epoch_seconds(seconds)
            elif rule == "train_forest":
                info = json.loads((workdir / "results" / "models" / f"{model}.train.json").read_text())
                forest_fits += info["train_seconds"]
            estimate += estimated
            rows.append([job, row["s"], estimated, row["max_rss_mb"]])
        self.figures.update(
            full_rf_fit_s=forest_fits,
            full_estimate_s=estimate,
            full_peak_rss_mb_max=max(row["max_rss_mb"] for row in jobs.values()),
        )
        size = self.sizes.full_size_data
        print_table(
            f"Reference size, {size['n_train']} / {size['n_test']} clips: "
            f"{self.sizes.full_size_epochs} epochs run in {run.wall_s:.0f} s on --cores {self.threads}; "
            f"estimate for {REFERENCE_EPOCHS} epochs (jobs summed, the networks' extra epochs at their rate)",
            ["job", "wall s", f"est. s at {REFERENCE_EPOCHS} epochs", "peak RSS MB"],
            rows,
        )

    def scaling(self) -> None:
        """A 100-tree forest and CNN epochs at growing training sizes, in this
        process, through the functions the workflow's jobs call."""
        from ascflow.data.synthetic import generate_default_data
        from ascflow.data.validation import band_statistics
        from ascflow.features import write_layout
        from ascflow.models.forest import train_forest
        from ascflow.models.jobs import load_features
        from ascflow.models.keras_build import build_model
        from ascflow.models.network import train_network

        tensorflow_on(self.threads)
        config = yaml.safe_load(CONFIG.read_text())
        shape, forest = config["default_data"], config["rf"]
        workdir = self.workdir("scaling")
        # A small fixed validation set: each epoch's validation pass adds
        # the same cost whatever the training size.
        n_validation = 2 * shape["n_classes"]
        largest = max(self.sizes.scaling_clips)
        paths = generate_default_data(
            workdir,
            n_train=largest + n_validation,
            n_test=shape["n_classes"],
            n_bands=shape["n_features"],
            n_frames=shape["n_frames"],
            n_classes=shape["n_classes"],
            seed=config["seed"],
        )
        clips, labels = np.load(paths["X_train"], mmap_mode="r"), np.load(paths["y_train"])
        band_mean, band_std = band_statistics(clips)
        for layout in ("flat", "channel"):
            write_layout(clips, workdir / f"{layout}.npy", layout, band_mean, band_std)
        flat, channel = load_features(workdir / "flat.npy"), load_features(workdir / "channel.npy")
        validation = (np.asarray(channel[largest:]), labels[largest:])
        spec = network_spec("cnn", channel.shape[1:], shape["n_classes"], config["cnn"])

        def forest_seconds(n_clips: int) -> float:
            _, info = train_forest(
                flat[:n_clips],
                labels[:n_clips],
                100,
                forest["max_features"],
                forest["min_samples_leaf"],
                config["seed"],
                self.threads,
            )
            return info["train_seconds"]

        rows = []
        for n_clips in self.sizes.scaling_clips:
            forest_s = median_of(lambda n=n_clips: forest_seconds(n), self.sizes.repeats)
            _, history, _ = train_network(
                build_model(spec),
                (np.asarray(channel[:n_clips]), labels[:n_clips]),
                validation,
                shape["n_classes"],
                epochs=self.sizes.scaling_epochs,
                batch_size=config["cnn"]["batch_size"],
                learning_rate=config["cnn"]["learning_rate"],
                patience=0,
                work_dir=workdir / f"cnn_{n_clips}",
                logger=log,
            )
            epoch_s = steady_epoch_seconds([row["seconds"] for row in history])
            gflops = forward_flops(spec) * (TRAINING_PASSES * n_clips + n_validation) / epoch_s / 1e9
            rows.append(
                [n_clips, forest_s, 1e3 * forest_s / n_clips, epoch_s, 1e3 * epoch_s / n_clips, gflops]
            )
        self.sample_matmul()
        self.figures.update(
            rf_cost_growth=rows[-1][2] / rows[0][2],
            cnn_cost_growth=rows[-1][4] / rows[0][4],
            cnn_isolated_gflops=rows[-1][5],
        )
        self.figures["cnn_isolated_peak_ratio"] = rows[-1][5] / self.figures["matmul_gflops"]
        print_table(
            f"Scaling in one process on {self.threads} threads: cost per clip (growth = ms/clip at "
            f"{largest} clips / at {self.sizes.scaling_clips[0]}; 1 = linear)",
            ["clips", "RF 100 fit s", "RF ms/clip", "CNN epoch s", "CNN ms/clip", "CNN GFLOP/s"],
            rows,
        )

    def without_slurm_probe(self) -> dict[str, float]:
        """The figures of one Snakemake command each, less the time the
        Slurm plugin's probe blocks its start (:func:`slurm_probe_seconds`)."""
        probe = self.figures["slurm_probe_s"]
        figures = {key: self.figures[key] - probe for key in ("default_s", "noop_s", "report_s")}
        figures["overhead_ratio"] = figures["default_s"] / self.figures["plain_s"]
        return figures

    def targets(self) -> None:
        """Each target, measured, and where the Slurm probe slows every
        Snakemake start, also without it."""
        adjusted = self.without_slurm_probe() if self.figures["slurm_probe_s"] > 0.5 else {}
        rows = []
        for key, comparison, bound in TARGETS:
            if key not in self.figures:
                continue
            values = [self.figures[key], adjusted.get(key, self.figures[key])]
            verdicts = [
                "holds" if (v <= bound if comparison == "<=" else v >= bound) else "MISSED" for v in values
            ]
            rows.append([key, f"{comparison} {bound:.4g}", values[0], verdicts[0], values[1], verdicts[1]])
        header = ["figure", "target", "measured", "", "without the Slurm probe", ""]
        print_table("Targets", header, rows)


# --- output --------------------------------------------------------------------


def print_table(title: str, header: list[str], rows: list[list]) -> None:
    """A plain-text table; floats to four significant digits."""

    def cell(value) -> str:
        return f"{value:.4g}" if isinstance(value, float) else str(value)

    cells = [header, *([cell(value) for value in row] for row in rows)]
    widths = [max(len(row[column]) for row in cells) for column in range(len(header))]
    print(f"\n{title}")
    for index, row in enumerate(cells):
        print("  ".join(value.ljust(width) for value, width in zip(row, widths, strict=True)).rstrip())
        if index == 0:
            print("  ".join("-" * width for width in widths))
    sys.stdout.flush()


def parse_line(text: str, prefix: str = "bench") -> dict[str, float | str]:
    """The ``key=value`` pairs of the last line of ``text`` that starts with ``prefix:``."""
    lines = [line for line in text.splitlines() if line.startswith(f"{prefix}:")]
    if not lines:
        raise ValueError(f"no line starting with '{prefix}:'")
    figures: dict[str, float | str] = {}
    for pair in lines[-1].removeprefix(f"{prefix}:").split():
        key, value = pair.split("=", 1)
        try:
            figures[key] = float(value)
        except ValueError:
            figures[key] = value
    return figures


def expected_keys(skip_full_size: bool = False, skip_scaling: bool = False) -> tuple[str, ...]:
    """The keys of the ``bench:`` line of a run with these options."""
    return BENCH_KEYS + (() if skip_full_size else FULL_SIZE_KEYS) + (() if skip_scaling else SCALING_KEYS)


def slurm_probe_seconds() -> float:
    """How long ``scontrol show config`` takes, where the Slurm executor plugin
    is installed: the plugin runs it whenever Snakemake starts (to word a help
    text, with a 10 s timeout), so a Slurm client whose controller does not
    answer delays every Snakemake command, local runs included. 0 where the
    plugin or ``scontrol`` is absent."""
    try:
        metadata.version("snakemake-executor-plugin-slurm")
    except metadata.PackageNotFoundError:
        return 0.0
    if shutil.which("scontrol") is None:
        return 0.0
    started = time.perf_counter()
    try:
        subprocess.run(["scontrol", "show", "config"], capture_output=True, timeout=10)
    except subprocess.TimeoutExpired:
        pass
    return time.perf_counter() - started


def machine() -> list[list[str]]:
    """What the figures were measured on."""
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").is_file() else ""
    model = re.search(r"^model name\s*:\s*(.*)$", cpuinfo, flags=re.MULTILINE)
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").is_file() else ""
    memory = re.search(r"^MemTotal:\s*(\d+) kB", meminfo, flags=re.MULTILINE)

    def version(*distributions: str) -> str:
        for distribution in distributions:
            try:
                return f"{distribution} {metadata.version(distribution)}"
            except metadata.PackageNotFoundError:
                continue
        return "absent"

    return [
        ["CPU", model[1] if model else platform.processor() or "unknown"],
        ["usable CPUs", str(len(os.sched_getaffinity(0)))],
        ["memory", f"{int(memory[1]) / 2**20:.1f} GiB" if memory else "unknown"],
        ["Python", platform.python_version()],
        ["TensorFlow", version("tensorflow-cpu", "tensorflow")],
        ["Snakemake", version("snakemake")],
        ["scikit-learn", version("scikit-learn")],
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes and one repeat: a smoke test")
    parser.add_argument("--skip-full-size", action="store_true", help="no run at the reference size")
    parser.add_argument("--skip-scaling", action="store_true", help="no scaling measurements")
    parser.add_argument(
        "--threads",
        type=int,
        default=len(os.sched_getaffinity(0)),
        help="threads of the plain script, the matrix product and the scaling "
        "(default: every usable CPU, which is what a training job gets when it may use that many)",
    )
    parser.add_argument("--keep", metavar="DIR", help="work in DIR and keep it (default: a temporary folder)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

    work_root = Path(args.keep or tempfile.mkdtemp(prefix="ascflow-bench-")).resolve()
    work_root.mkdir(parents=True, exist_ok=True)
    bench = Bench(QUICK if args.quick else FULL, usable_threads(args.threads), work_root)
    bench.figures.update(threads=bench.threads, slurm_probe_s=slurm_probe_seconds())
    slurm_probe = ["Slurm probe at each Snakemake start", f"{bench.figures['slurm_probe_s']:.2f} s"]
    print_table("Machine", ["item", "value"], [*machine(), slurm_probe])
    try:
        bench.sample_matmul()
        default_workdir = bench.default_run()
        bench.sample_matmul()
        bench.plain_run(default_workdir)
        if not args.skip_full_size:
            bench.full_size()
        if not args.skip_scaling:
            bench.scaling()
    finally:
        if not args.keep:
            shutil.rmtree(work_root, ignore_errors=True)
    bench.figures["cnn_peak_ratio"] = bench.figures["cnn_gflops"] / bench.figures["matmul_gflops"]
    print_table(
        "Matrix product (float32, TensorFlow)",
        ["size", "threads", "GFLOP/s per sample", "median"],
        [
            [
                bench.sizes.matmul_size,
                bench.threads,
                " ".join(f"{sample:.4g}" for sample in bench.matmul_samples),
                bench.figures["matmul_gflops"],
            ]
        ],
    )
    bench.targets()
    print()
    print(
        format_line(
            "bench",
            {key: bench.figures[key] for key in expected_keys(args.skip_full_size, args.skip_scaling)},
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
