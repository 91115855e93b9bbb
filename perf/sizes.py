"""The workflow at three data sizes: the reference size run for real (4,500 /
1,500 clips, the reference's 50 epochs), per-job time and memory against the
number of training clips, and what a Slurm run would take.

A Slurm run with a node per job runs every job as soon as its inputs exist,
so it takes the longest chain of jobs through the workflow (its critical
path), plus each job's wait in the queue, which depends on the cluster and
is not measured here. :func:`critical_path` computes that chain from the
per-job times of a local run, job for job.
"""

from __future__ import annotations

from pathlib import Path

from ascflow.files import read_json
from ascflow.models.naming import FAMILY_LAYOUT, parse_model_name

from perf.line import steady_epoch_seconds
from perf.runs import benchmark_table, epoch_seconds
from perf.timeline import last_run_log, parse_log, peak_threads

#: The jobs every model's chain shares, before and after its own.
_HEAD = ("generate_default_data", "validate_data")
_TAIL = (("summarize_metrics", "compare_models"), ("render_report",))


def model_chain(model: str) -> tuple[tuple[str, ...], ...]:
    """The jobs from validated data to one model's metrics, in order; a step
    of several jobs waits for all of them (its training and test features)."""
    family = parse_model_name(model).family
    layout = FAMILY_LAYOUT[family]
    rule = "train_forest" if family == "rf" else "train_network"
    return (
        (f"make_features/{layout}_train",),
        (f"{rule}/{model}", f"make_features/{layout}_test"),
        (f"evaluate_model/{model}",),
    )


def critical_path(jobs: dict[str, dict[str, float]], models: list[str]) -> tuple[float, list[str]]:
    """Seconds and jobs of the longest chain through a default-data run,
    every job starting when its inputs exist (a node per job, no queue)."""

    def step_time(step: tuple[str, ...]) -> tuple[float, str]:
        return max((jobs[job]["s"], job) for job in step if job in jobs)

    head = sum(jobs[job]["s"] for job in _HEAD if job in jobs)
    longest, path = 0.0, []
    for model in models:
        steps = [step_time(step) for step in model_chain(model)]
        seconds = sum(time for time, _ in steps)
        if seconds > longest:
            longest, path = seconds, [job for _, job in steps]
    # count_parameters runs beside the models: far shorter than any chain.
    tail = [step_time(step) for step in _TAIL]
    return head + longest + sum(time for time, _ in tail), [
        *[job for job in _HEAD if job in jobs],
        *path,
        *[job for _, job in tail],
    ]


def run_figures(workdir: Path, prefix: str) -> dict[str, float]:
    """What a finished run left behind, as bench figures named ``prefix_*``:
    the largest job memory, the threads that ran at once, each network's
    epochs and steady epoch time, each model's test accuracy."""
    jobs = benchmark_table(workdir)
    figures = {
        f"{prefix}_peak_rss_mb_max": max(job["max_rss_mb"] for job in jobs.values()),
        f"{prefix}_peak_threads": peak_threads(parse_log(last_run_log(workdir))),
    }
    for metrics_path in sorted((workdir / "results" / "metrics").glob("*.json")):
        metrics = read_json(metrics_path)
        if "accuracy" not in metrics:
            continue
        model = metrics["model"]
        figures[f"{prefix}_{model}_accuracy"] = metrics["accuracy"]
        if metrics["family"] != "rf":
            seconds = epoch_seconds(workdir, model)
            figures[f"{prefix}_{model}_epochs"] = len(seconds)
            figures[f"{prefix}_{model}_epoch_s"] = steady_epoch_seconds(seconds)
    return figures


def size_rows(runs: dict[int, Path]) -> list[list]:
    """Per job, its wall seconds and peak RSS at each size (``runs``: the run
    folder by training clips), jobs in the order of the first run."""
    tables = {clips: benchmark_table(workdir) for clips, workdir in runs.items()}
    jobs = list(dict.fromkeys(job for table in tables.values() for job in table))
    rows = []
    for job in jobs:
        row = [job]
        row += [tables[clips].get(job, {}).get("s", float("nan")) for clips in runs]
        row += [tables[clips].get(job, {}).get("max_rss_mb", float("nan")) for clips in runs]
        rows.append(row)
    return rows
