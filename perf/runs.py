"""The workflow runs the benchmark starts: their config, the Snakemake
command, and what a finished run left behind (``benchmarks/``, histories).

Every run follows config.yaml with the benchmark's size overrides merged in
key by key (:func:`merged_config`, the one place they are merged).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml
from ascflow.configuration import load_config
from ascflow.files import read_json, read_table
from ascflow.models.counting import forward_flops
from ascflow.models.history import read_history
from ascflow.models.settings import network_settings

from perf.line import steady_epoch_seconds
from perf.measure import Timed, epoch_flops, run_timed
from perf.plain import validation_split
from perf.workflow import CONFIG, snakemake_command

# --- the config of a run ---------------------------------------------------------


def run_overrides(default_data: dict, epochs: int | None) -> dict:
    """Config sections that change a run's size."""
    overrides: dict = {"default_data": default_data} if default_data else {}
    if epochs:
        overrides.update(cnn={"epochs": epochs}, lstm={"epochs": epochs})
    return overrides


def merged_config(overrides: dict) -> dict:
    """The config a run of config.yaml and ``overrides`` works with: merged
    as Snakemake merges a second ``--configfile``, with the schema's defaults."""
    return load_config([CONFIG], overrides)


def config_files(workdir: Path, overrides: dict) -> list[Path]:
    """config.yaml, then a file of ``overrides``, which Snakemake merges in
    key by key. A file rather than ``--config``, which passes the numbers
    inside a mapping as strings, so that the config schema rejects them."""
    if not overrides:
        return [CONFIG]
    override_file = workdir / "bench_overrides.yaml"
    override_file.write_text(yaml.safe_dump(overrides))
    return [CONFIG, override_file]


def run_snakemake(workdir: Path, config_files: list[Path], *args: str) -> Timed:
    command = snakemake_command(workdir, *args, "--configfile", *(str(path) for path in config_files))
    return run_timed(command, workdir)


# --- what a finished run left behind ---------------------------------------------


def benchmark_table(workdir: Path) -> dict[str, dict[str, float]]:
    """Each job's wall seconds and peak RSS from its ``benchmark:`` file, by
    job (``train_network/cnn``); a file's last line is the job's last run."""
    table = {}
    root = workdir / "benchmarks"
    for path in sorted(root.rglob("*.tsv")):
        rows = read_table(path)
        if rows:
            job = str(path.relative_to(root).with_suffix(""))
            table[job] = {"s": float(rows[-1]["s"]), "max_rss_mb": float(rows[-1]["max_rss"])}
    return table


def epoch_seconds(workdir: Path, model: str, folder: str = "models") -> list[float]:
    """The seconds of each epoch of a network's training (``folder``
    ``refit``: its refit's), in order."""
    history = read_history(workdir / "results" / folder / f"{model}.history.csv")
    return [float(history[epoch]["seconds"]) for epoch in sorted(history)]


def cnn_epoch_flops(workdir: Path, config: dict) -> tuple[float, dict]:
    """FLOPs of one CNN epoch of a finished run (:func:`epoch_flops`), and
    what they were computed from."""
    data = workdir / "results" / "data"
    summary = read_json(data / "summary.json")
    labels = np.load(data / "labels_train.npy")
    groups = np.load(data / "groups_train.npy") if (data / "groups_train.npy").is_file() else None
    input_shape = (summary["n_features"], summary["n_frames"], 1)
    spec = network_settings("cnn", config["cnn"]).spec(input_shape, summary["n_classes"])
    train_index, validation_index = validation_split(labels, groups, config)
    flops = epoch_flops(spec, train_index.size, validation_index.size)
    return flops, {
        "clip": forward_flops(spec),
        "train": train_index.size,
        "validation": validation_index.size,
    }


@dataclass(frozen=True)
class Estimate:
    """A finished run's jobs, with each network's training extended to more
    epochs at its steady rate."""

    rows: list[list]  # job, wall s, estimated s, peak RSS MB
    network_epoch_s: dict[str, float]  # by model: the steady epoch time
    forest_fit_s: float  # the forests' fits together, without their job's start

    @property
    def total_s(self) -> float:
        return sum(row[2] for row in self.rows)

    @property
    def peak_rss_mb(self) -> float:
        return max(row[3] for row in self.rows)


def estimate_at(workdir: Path, epochs: int) -> Estimate:
    """Every job of a finished run, its networks trained for ``epochs``."""
    rows, network_epoch_s, forest_fit_s = [], {}, 0.0
    for job, row in benchmark_table(workdir).items():
        rule, _, model = job.partition("/")
        estimated = row["s"]
        if rule == "train_network":
            seconds = epoch_seconds(workdir, model)
            network_epoch_s[model] = steady_epoch_seconds(seconds)
            estimated += (epochs - len(seconds)) * network_epoch_s[model]
        elif rule == "refit_network":  # trained once more, for as many epochs
            seconds = epoch_seconds(workdir, model, "refit")
            estimated += (epochs - len(seconds)) * steady_epoch_seconds(seconds)
        elif rule == "train_forest":
            forest_fit_s += read_json(workdir / "results" / "models" / f"{model}.train.json")["train_seconds"]
        rows.append([job, row["s"], estimated, row["max_rss_mb"]])
    return Estimate(rows, network_epoch_s, forest_fit_s)
