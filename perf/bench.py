"""The benchmark: what the workflow costs, against its performance targets.

Run from the repository root::

    .venv/bin/python -m perf            # everything (15-25 minutes on two cores)
    .venv/bin/python -m perf --quick    # small sizes, one repeat: a smoke test

It prints tables and ends with one ``bench:`` line of ``key=value`` pairs
(:func:`expected_keys`). Every workflow run happens in a temporary directory
of its own, through Snakemake's command line (``sys.executable -m
snakemake``): nothing here imports Snakemake.

What is measured (docs/performance.md has the latest figures):

* ``default_s``: a clean ``snakemake --cores 8`` on the built-in data, the
  whole default target; ``plain_s``: the same five trainings and test
  predictions as one plain script (:mod:`perf.plain`) on the data that run
  generated; ``overhead_ratio = default_s / plain_s``. The ``_cpu_s`` twins
  are user + system seconds of every process involved, which other tenants
  of a shared machine disturb less than wall time.
* ``noop_s``: ``snakemake --cores 8`` again, with nothing to do;
  ``report_s``: the report rules forced to run again.
* ``cnn_gflops``: the CNN's training rate in the default run (median epoch
  from the second on), beside ``matmul_gflops``, a float32 matrix product on
  as many threads. Convention: a training clip costs 3 forward passes
  (the backward pass about twice the forward), a validation clip one; a
  forward pass is :func:`ascflow.models.counting.forward_flops` (2 FLOPs per
  multiply-add of the convolutions and the dense layer).
* ``peak_rss_mb_max``: the largest ``max_rss`` of any job's ``benchmark:`` file.
* ``audio_*``: log-mel extraction from generated 10-second recordings, the
  workflow's chunk jobs against a plain single-process librosa loop on the
  same files, and a chunk job's peak memory (:mod:`perf.audio`).
* full size: one short run at the reference size (4,500 / 1,500 clips, two
  epochs) gives the epoch and forest times, scaled to 50 epochs, and every
  job's peak memory there.
* scaling: a 100-tree forest fit and a CNN epoch at growing training sizes,
  as cost per clip, through the functions the jobs call (:mod:`perf.scaling`).
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import statistics
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from ascflow.stages.runtime import usable_threads
from ascflow.threads import local_cores

from perf.audio import AUDIO_KEYS, measure_audio
from perf.line import format_line, parse_line, print_table, steady_epoch_seconds
from perf.measure import machine, matmul_gflops, median_of, run_timed, slurm_probe_seconds
from perf.predict import PREDICT_KEYS, measure_predict
from perf.runs import (
    benchmark_table,
    cnn_epoch_flops,
    config_files,
    epoch_seconds,
    estimate_at,
    merged_config,
    run_overrides,
    run_snakemake,
)
from perf.scaling import measure_scaling
from perf.sizes import critical_path, run_figures, size_rows
from perf.timeline import last_run_log, parse_log, peak_threads, timeline_rows
from perf.workflow import REPOSITORY

#: What regenerating the report re-runs (README, "Report again").
REPORT_RULES = ("render_report",)
#: The README's command line: a user asks for 8 cores whatever the machine has.
DEFAULT_CORES = 8
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
    "peak_threads",
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
#: The reference-size run (``--reference-size``); its accuracies follow, one
#: ``reference_<model>_accuracy`` per model, and each network's epochs.
REFERENCE_KEYS = (
    "reference_s",
    "reference_cpu_s",
    "reference_peak_rss_mb_max",
    "reference_peak_threads",
    "reference_cnn_epochs",
    "reference_cnn_epoch_s",
    "reference_lstm_epochs",
    "reference_lstm_epoch_s",
    "reference_slurm_s",
    "small_s",
    "small_slurm_s",
    "default_slurm_s",
)
#: (figure, comparison, bound) of each performance target.
TARGETS = (
    ("default_s", "<=", 240),
    ("overhead_ratio", "<=", 1.12),
    ("overhead_cpu_ratio", "<=", 1.10),
    ("noop_s", "<=", 1.5),
    ("report_s", "<=", 5),
    ("cnn_peak_ratio", ">=", 0.75),
    ("audio_throughput_ratio", ">=", 0.75),  # at FULL's 4,000 recordings
    ("predict_throughput_ratio", ">=", 0.90),
    ("predict_int8_ratio", ">=", 1.5),  # ascflow predict --runtime litert against Keras, start-up included
    ("predict_model_int8_ratio", ">=", 1.0),  # the int8 LiteRT model at least as fast as Keras
    ("peak_threads", "<=", "threads"),
    ("full_peak_rss_mb_max", "<=", MEMORY_TARGET_MB),
    ("reference_s", "<=", 720),
    ("reference_peak_rss_mb_max", "<=", 2000),
)
#: CPU counts the thread plan is shown for: this machine's, and bigger ones.
PLAN_CPUS = (1, 2, 4, 8, 16)

log = logging.getLogger("perf")


@dataclass(frozen=True)
class Sizes:
    """How much work each part does: :data:`FULL` or :data:`QUICK`."""

    default_data: dict  # config override of the default run; empty: config.yaml as is
    network_epochs: int | None  # override of both networks' epochs in the default run
    repeats: int  # of each figure that takes under a minute
    #: The reference-size run; None: the default run's own jobs stand in (a
    #: smoke test of the estimate, not a figure).
    full_size_data: dict | None
    full_size_epochs: int
    scaling_clips: tuple[int, ...]
    scaling_epochs: int  # the first traces the graph; the others are the repeats
    matmul_size: int
    audio_files: int  # generated 10-second recordings the audio extraction is measured on
    predict_files: int  # and those a bundle classifies
    reference_data: dict  # --reference-size: the reference's clips
    reference_epochs: int  # and its epochs
    small_data: dict  # --reference-size: the smallest size of the size table


FULL = Sizes(
    default_data={},
    network_epochs=None,
    repeats=3,
    full_size_data={"n_train": 4500, "n_test": 1500},
    full_size_epochs=2,
    scaling_clips=(500, 1000, 2000),
    scaling_epochs=4,
    matmul_size=2048,
    audio_files=4000,
    predict_files=200,
    reference_data={"n_train": 4500, "n_test": 1500},
    reference_epochs=50,
    small_data={"n_train": 500, "n_test": 500},
)
QUICK = Sizes(
    default_data={"n_train": 150, "n_test": 60},
    network_epochs=2,
    repeats=1,
    full_size_data=None,
    full_size_epochs=2,
    scaling_clips=(60, 120, 240),
    scaling_epochs=2,
    matmul_size=1024,
    audio_files=40,
    predict_files=10,
    reference_data={"n_train": 300, "n_test": 60},
    reference_epochs=3,
    small_data={"n_train": 100, "n_test": 60},
)


def expected_keys(
    skip_full_size: bool = False,
    skip_scaling: bool = False,
    skip_audio: bool = False,
    reference_size: bool = False,
) -> tuple[str, ...]:
    """The keys of the ``bench:`` line of a run with these options (the
    reference-size run adds an accuracy per model, not listed here)."""
    return (
        BENCH_KEYS
        + (() if skip_audio else AUDIO_KEYS + PREDICT_KEYS)
        + (() if skip_full_size else FULL_SIZE_KEYS)
        + (() if skip_scaling else SCALING_KEYS)
        + (REFERENCE_KEYS if reference_size else ())
    )


def target_rows(figures: dict, adjusted: dict) -> list[list]:
    """Each target that was measured: its bound, then the figure and its
    verdict, as measured and as ``adjusted`` (where it has the figure)."""
    rows = []
    for key, comparison, bound in TARGETS:
        if key not in figures:
            continue
        bound_text = f"{comparison} {bound}" if isinstance(bound, str) else f"{comparison} {bound:.4g}"
        bound = figures[bound] if isinstance(bound, str) else bound
        row = [key, bound_text]
        for value in (figures[key], adjusted.get(key, figures[key])):
            holds = value <= bound if comparison == "<=" else value >= bound
            row += [value, "holds" if holds else "MISSED"]
        rows.append(row)
    return rows


def perf_environment() -> dict[str, str]:
    """This process's environment with the repository on the module path:
    ``perf`` is not installed, and its processes run in a run's folder."""
    paths = [str(REPOSITORY), os.environ.get("PYTHONPATH", "")]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(path for path in paths if path)}


@dataclass
class Bench:
    """The figures of one benchmark run, gathered part by part."""

    sizes: Sizes
    threads: int
    work_root: Path
    figures: dict = field(default_factory=dict)
    matmul_samples: list[float] = field(default_factory=list)

    def run(
        self,
        skip_full_size: bool = False,
        skip_scaling: bool = False,
        skip_audio: bool = False,
        reference_size: bool = False,
    ) -> None:
        """Every part in turn; the matrix product is sampled around the
        runs it is compared with, as a shared machine's load drifts."""
        self.print_thread_plan()
        self.sample_matmul()
        default_workdir = self.default_run()
        self.sample_matmul()
        self.plain_run(default_workdir)
        if not skip_audio:
            self.audio()
        if not skip_full_size:
            self.full_size(default_workdir)
        if not skip_scaling:
            self.scaling()
        if reference_size:
            self.reference_size(default_workdir)
        self.figures["cnn_peak_ratio"] = self.figures["cnn_gflops"] / self.figures["matmul_gflops"]

    def workdir(self, name: str) -> Path:
        path = self.work_root / name
        path.mkdir(parents=True)
        return path

    @property
    def default_overrides(self) -> dict:
        """The default run's config overrides (none at full size)."""
        return run_overrides(self.sizes.default_data, self.sizes.network_epochs)

    # --- the parts ---------------------------------------------------------------

    def describe_machine(self) -> None:
        self.figures.update(threads=self.threads, slurm_probe_s=slurm_probe_seconds())
        slurm_probe = ["Slurm probe at each Snakemake start", f"{self.figures['slurm_probe_s']:.2f} s"]
        print_table("Machine", ["item", "value"], [*machine(), slurm_probe])

    def sample_matmul(self) -> None:
        """One more matrix-product rate; ``matmul_gflops`` is their median."""
        self.matmul_samples.append(
            matmul_gflops(self.threads, self.sizes.matmul_size, 5 * self.sizes.repeats)
        )
        self.figures["matmul_gflops"] = statistics.median(self.matmul_samples)

    def print_thread_plan(self) -> None:
        """The threads each job asks for under ``--cores 8`` on machines of
        several sizes (:mod:`ascflow.threads`): this one runs the first
        case, a bigger machine keeps today's parallel plan."""
        from ascflow.plan import Machine, Plan

        rows = []
        config = merged_config(self.default_overrides)
        for cpus in sorted({*PLAN_CPUS, self.threads}):
            machine = Machine(cores=DEFAULT_CORES, cpus=cpus, gpus=0, local=True)
            plan = Plan(config, machine).scheduling.thread_plan
            rows.append(
                [
                    cpus,
                    local_cores(DEFAULT_CORES, cpus),
                    plan.cnn,
                    plan.training("cnn", refit=True),
                    plan.lstm,
                    plan.forest,
                    plan.evaluation,
                    plan.features("cnn", "train"),
                ]
            )
        columns = ["CPUs", "cores scheduled", "CNN", "CNN's refit", "LSTM", "forest", "evaluation"]
        print_table(
            f"Thread plan of the default run, --cores {DEFAULT_CORES} (this machine: {self.threads} CPUs)",
            [*columns, "CNN's training features"],
            rows,
        )

    def default_run(self) -> Path:
        """The clean default run, then in its folder the no-op run, the report
        alone, the CNN's rate and every job's memory; returns the folder."""
        workdir = self.workdir("default")
        files = config_files(workdir, self.default_overrides)
        log.info("default run in %s", workdir)
        clean = run_snakemake(workdir, files, "--cores", str(DEFAULT_CORES))
        self.figures.update(default_s=clean.wall_s, default_cpu_s=clean.cpu_s)
        self.timeline(workdir, "Timeline of the default run")
        self.time_reruns(workdir, files)
        self.cnn_rate(workdir)
        self.default_jobs(workdir)
        return workdir

    def timeline(self, workdir: Path, title: str) -> int:
        """Print a run's jobs as they started and ended (Snakemake's log, to
        the second); ``peak_threads``: the most threads that ran at once."""
        jobs = parse_log(last_run_log(workdir))
        peak = peak_threads(jobs)
        print_table(
            f"{title} (seconds after the first job started; threads at once: at most {peak})",
            ["job", "threads", "start", "end"],
            timeline_rows(jobs),
        )
        if "peak_threads" not in self.figures:
            self.figures["peak_threads"] = peak
        return peak

    def time_reruns(self, workdir: Path, files: list[Path]) -> None:
        """``noop_s``: the default command again, with nothing to do;
        ``report_s``: the report rules forced to run again."""
        cores = ("--cores", str(DEFAULT_CORES))

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

    def cnn_rate(self, workdir: Path) -> None:
        """``cnn_gflops``: one epoch's FLOPs over the CNN's steady epoch time."""
        flops, clips = cnn_epoch_flops(workdir, merged_config(self.default_overrides))
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

    def default_jobs(self, workdir: Path) -> None:
        """``generate_s`` and ``peak_rss_mb_max`` from the jobs' ``benchmark:`` files."""
        jobs = benchmark_table(workdir)
        self.figures["generate_s"] = jobs.get("generate_default_data", {}).get("s", 0.0)
        self.figures["peak_rss_mb_max"] = max(job["max_rss_mb"] for job in jobs.values())
        print_table(
            "Jobs of the default run (benchmarks/**.tsv; report rules: their last forced run)",
            ["job", "wall s", "peak RSS MB"],
            [[job, row["s"], row["max_rss_mb"]] for job, row in jobs.items()],
        )

    def plain_run(self, default_workdir: Path) -> None:
        """:mod:`perf.plain` on the data the default run generated,
        following the same config."""
        workdir = self.workdir("plain")
        plain_config = workdir / "config.yaml"
        plain_config.write_text(yaml.safe_dump(merged_config(self.default_overrides)))
        data_dir = default_workdir / "resources" / "default"
        command = [sys.executable, "-m", "perf.plain", str(data_dir), "--config", str(plain_config)]
        plain = run_timed([*command, "--threads", str(self.threads)], workdir, perf_environment())
        self.figures.update(plain_s=plain.wall_s, plain_cpu_s=plain.cpu_s)
        self.figures["overhead_ratio"] = self.figures["default_s"] / plain.wall_s
        self.figures["overhead_cpu_ratio"] = self.figures["default_cpu_s"] / plain.cpu_s
        parts = parse_line(plain.output, "plain")
        print_table(
            "Plain script (one process, no Snakemake)",
            ["part", "value"],
            [[key, value] for key, value in parts.items()],
        )

    def audio(self) -> None:
        """Feature extraction from recordings (:mod:`perf.audio`): the chunk
        jobs against a plain librosa loop on the same files, and a chunk
        job's peak memory."""
        log.info("audio extraction in %s", self.work_root / "audio")
        self.figures.update(
            measure_audio(self.workdir("audio"), self.sizes.audio_files, self.threads, perf_environment())
        )
        log.info("prediction of new recordings in %s", self.work_root / "predict")
        self.figures.update(
            measure_predict(
                self.workdir("predict"), self.sizes.predict_files, self.threads, perf_environment()
            )
        )

    def full_size(self, default_workdir: Path) -> None:
        """A short run at the reference size: every job once, the networks for
        a few epochs. On ``--cores`` = this machine's CPUs, so that training
        jobs run one at a time and their epoch times are their own. Quick
        mode estimates from the default run's jobs instead (a second run of
        the same small size would test nothing more)."""
        size = self.sizes.full_size_data
        if size is None:
            workdir, wall_s = default_workdir, self.figures["default_s"]
            heading = f"Estimate from the default run's jobs ({wall_s:.0f} s)"
        else:
            workdir = self.workdir("full_size")
            overrides = run_overrides(size, self.sizes.full_size_epochs)
            log.info("reference-size run in %s", workdir)
            run = run_snakemake(workdir, config_files(workdir, overrides), "--cores", str(self.threads))
            heading = (
                f"Reference size, {size['n_train']} / {size['n_test']} clips: "
                f"{self.sizes.full_size_epochs} epochs run in {run.wall_s:.0f} s on --cores {self.threads}"
            )
        estimate = estimate_at(workdir, REFERENCE_EPOCHS)
        for model, seconds in estimate.network_epoch_s.items():
            self.figures[f"full_{model}_epoch_s"] = seconds
        self.figures.update(
            full_rf_fit_s=estimate.forest_fit_s,
            full_estimate_s=estimate.total_s,
            full_peak_rss_mb_max=estimate.peak_rss_mb,
        )
        print_table(
            f"{heading}; estimate for {REFERENCE_EPOCHS} epochs "
            "(jobs summed, the networks' extra epochs at their rate)",
            ["job", "wall s", f"est. s at {REFERENCE_EPOCHS} epochs", "peak RSS MB"],
            estimate.rows,
        )

    def reference_size(self, default_workdir: Path) -> None:
        """The reference size for real: 4,500 / 1,500 clips and the
        reference's 50 epochs, end to end with the README's command; then
        the smallest size, for the table of job costs against clips, and
        what a Slurm run with a node per job would take at each size."""
        sizes = self.sizes
        runs = {}
        for name, data, epochs in (
            ("reference", sizes.reference_data, sizes.reference_epochs),
            ("small", sizes.small_data, self.sizes.network_epochs),
        ):
            workdir = self.workdir(name)
            log.info("%s run (%s) in %s", name, data, workdir)
            overrides = run_overrides(data, epochs)
            timed = run_snakemake(workdir, config_files(workdir, overrides), "--cores", str(DEFAULT_CORES))
            self.figures[f"{name}_s"] = timed.wall_s
            if name == "reference":
                self.figures["reference_cpu_s"] = timed.cpu_s
                self.figures.update(run_figures(workdir, "reference"))
                self.timeline(workdir, f"Timeline at the reference size ({timed.wall_s:.0f} s)")
            runs[data["n_train"]] = workdir
        default_clips = merged_config(self.default_overrides)["default_data"]["n_train"]
        runs[default_clips] = default_workdir
        runs = dict(sorted(runs.items()))
        models = [path.stem for path in sorted((default_workdir / "results" / "metrics").glob("*.json"))]
        names = {sizes.reference_data["n_train"]: "reference", sizes.small_data["n_train"]: "small"}
        slurm_rows = []
        for clips, workdir in runs.items():
            seconds, path = critical_path(benchmark_table(workdir), models)
            self.figures[f"{names.get(clips, 'default')}_slurm_s"] = seconds
            slurm_rows.append([clips, seconds, " -> ".join(path)])
        columns = [f"{clips} s" for clips in runs] + [f"{clips} MB" for clips in runs]
        print_table(
            "Job wall seconds and peak RSS by training clips (benchmarks/**.tsv; networks: "
            f"{sizes.network_epochs or 'config'} epochs, {sizes.reference_epochs} at the reference size)",
            ["job", *columns],
            size_rows(runs),
        )
        print_table(
            "A Slurm run with a node per job: its longest chain of jobs (queue waits not included)",
            ["training clips", "critical path s", "jobs"],
            slurm_rows,
        )

    def scaling(self) -> None:
        """Cost per clip of the forest and the CNN at growing training sizes,
        then a last matrix-product sample to compare the CNN's rate with."""
        sizes = self.sizes
        points = measure_scaling(
            self.workdir("scaling"), sizes.scaling_clips, sizes.scaling_epochs, sizes.repeats, self.threads
        )
        self.sample_matmul()
        first, last = points[0], points[-1]
        self.figures.update(
            rf_cost_growth=last.forest_ms_per_clip / first.forest_ms_per_clip,
            cnn_cost_growth=last.cnn_ms_per_clip / first.cnn_ms_per_clip,
            cnn_isolated_gflops=last.cnn_gflops,
            cnn_isolated_peak_ratio=last.cnn_gflops / self.figures["matmul_gflops"],
        )
        print_table(
            f"Scaling in one process on {self.threads} threads: cost per clip (growth = ms/clip at "
            f"{last.clips} clips / at {first.clips}; 1 = linear)",
            ["clips", "RF 100 fit s", "RF ms/clip", "CNN epoch s", "CNN ms/clip", "CNN GFLOP/s"],
            [
                [p.clips, p.forest_s, p.forest_ms_per_clip, p.cnn_epoch_s, p.cnn_ms_per_clip, p.cnn_gflops]
                for p in points
            ],
        )

    # --- the summary ---------------------------------------------------------------

    def print_matmul(self) -> None:
        samples = " ".join(f"{sample:.4g}" for sample in self.matmul_samples)
        print_table(
            "Matrix product (float32, TensorFlow)",
            ["size", "threads", "GFLOP/s per sample", "median"],
            [[self.sizes.matmul_size, self.threads, samples, self.figures["matmul_gflops"]]],
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
        header = ["figure", "target", "measured", "", "without the Slurm probe", ""]
        print_table("Targets", header, target_rows(self.figures, adjusted))

    def line(self, keys: tuple[str, ...]) -> str:
        """The ``bench:`` line of the figures ``keys``, in that order."""
        return format_line("bench", {key: self.figures[key] for key in keys})


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m perf", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes and one repeat: a smoke test")
    parser.add_argument("--skip-full-size", action="store_true", help="no run at the reference size")
    parser.add_argument("--skip-scaling", action="store_true", help="no scaling measurements")
    parser.add_argument("--skip-audio", action="store_true", help="no audio extraction measurements")
    parser.add_argument(
        "--reference-size",
        action="store_true",
        help="also run the reference size for real (4,500 / 1,500 clips, 50 epochs: 20-25 minutes on "
        "two cores) and the smallest size, for the table of job costs by size",
    )
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

    work_root = Path(args.keep or tempfile.mkdtemp(prefix="ascflow-perf-")).resolve()
    work_root.mkdir(parents=True, exist_ok=True)
    bench = Bench(QUICK if args.quick else FULL, usable_threads(args.threads), work_root)
    bench.describe_machine()
    try:
        bench.run(args.skip_full_size, args.skip_scaling, args.skip_audio, args.reference_size)
    finally:
        if not args.keep:
            shutil.rmtree(work_root, ignore_errors=True)
    bench.print_matmul()
    bench.targets()
    print()
    keys = expected_keys(args.skip_full_size, args.skip_scaling, args.skip_audio, args.reference_size)
    accuracies = tuple(key for key in bench.figures if key.startswith("reference_") and key not in keys)
    print(bench.line(keys + accuracies), flush=True)
