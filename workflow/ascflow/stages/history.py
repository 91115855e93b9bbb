"""Stage history: a completed run's models appended to ``history/runs.tsv``
(by rule record_run, whose output the ledger is, once the report is
written), and the run logged to MLflow when the config names a tracking URI
(one job at the end).

Parallel training jobs never touch the ledger or the tracking store.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ascflow.files import read_json, write_json, write_text
from ascflow.ledger import append_run, keep_predictions, run_id, run_rows
from ascflow.report.gather import git_commit, read_histories
from ascflow.stages.runtime import Runtime

log = logging.getLogger("ascflow")


def record_run(
    metrics: list[dict], ledger_path: str, repository: str, probabilities: dict[str, str] | None = None
) -> dict:
    """Append this run's rows to the ledger, once per run (a re-rendered
    report of the same metrics adds nothing), having kept each model's
    predicted classes of the test clips (``probabilities``: its
    results/predictions/<model>.npy, by model) for the next run to pair."""
    identity = run_id(metrics)
    finished = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    rows = run_rows(metrics, identity, finished, git_commit(repository))
    # Before the rows: a run the ledger records has its predictions kept.
    keep_predictions(ledger_path, identity, probabilities or {})
    added = append_run(ledger_path, rows)
    log.info(
        "%s run %s (%d models) in %s",
        "recorded" if added else "already recorded",
        identity,
        len(rows),
        ledger_path,
    )
    return {"run_id": identity, "finished": finished, "rows": rows, "added": added}


@dataclass(frozen=True)
class RecordedRun:
    metrics: list[str]
    markdown: str  # the report: a run is on record once it is written
    #: Each model's test-set probabilities (results/predictions/<model>.npy):
    #: its predicted classes are kept beside the ledger.
    predictions: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Ledger:
    ledger: str  # history/runs.tsv, updated in place
    config: str  # results/config.yaml: the config that made results/


@dataclass(frozen=True)
class RunConfig:
    config: dict  # the whole validated config, defaults filled in


@dataclass(frozen=True)
class RecordRun:
    inputs: RecordedRun
    outputs: Ledger
    settings: RunConfig
    runtime: Runtime = field(default_factory=Runtime)


def record_run_job(job: RecordRun) -> dict:
    """This run's models on record in the ledger, and its config as the one
    that made results/ (rule record_run)."""
    import yaml

    write_text(job.outputs.config, yaml.safe_dump(job.settings.config, sort_keys=True))
    metrics = [read_json(path) for path in job.inputs.metrics]
    probabilities = {Path(path).stem: path for path in job.inputs.predictions}
    return record_run(metrics, job.outputs.ledger, Path(job.runtime.workflow_dir).parent, probabilities)


@dataclass(frozen=True)
class RunFiles:
    metrics: list[str]
    histories: list[str]  # every network training run's epochs
    refit_histories: list[str]
    pdf: str
    markdown: str
    figures: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Tracked:
    tracked: str  # what was logged, and where


@dataclass(frozen=True)
class Tracking:
    tracking_uri: str
    experiment: str
    config: dict


@dataclass(frozen=True)
class TrackRun:
    inputs: RunFiles
    outputs: Tracked
    settings: Tracking
    runtime: Runtime = field(default_factory=Runtime)


def track_run_job(job: TrackRun) -> dict:
    """Log the run to MLflow: a run per model under a parent carrying the report."""
    from ascflow.tracking import log_run

    inputs, config = job.inputs, job.settings.config
    repository = Path(job.runtime.workflow_dir).parent  # the checkout, for its git commit
    metrics = [read_json(path) for path in inputs.metrics]
    identity = run_id(metrics)
    # Each model's epochs: its refit's where it was refit, else its chosen run's.
    by_run, refits = read_histories(inputs.histories), read_histories(inputs.refit_histories)
    histories = {run["model"]: refits.get(run["model"], by_run.get(run["trained_as"], [])) for run in metrics}
    parent_params = {
        "commit": git_commit(repository) or "unknown",
        "data_fingerprint": metrics[0]["data_fingerprint"],
        "seed": str(config.get("seed")),
        "refit": str(config.get("refit")),
        "cv_folds": str(config.get("cv", {}).get("folds")),
        "sweep": str(config.get("sweep") or {}),
    }
    tracking_uri = job.settings.tracking_uri
    tracked = log_run(
        tracking_uri,
        job.settings.experiment,
        identity,
        metrics,
        histories,
        {"report": [inputs.pdf, inputs.markdown], "figures": list(inputs.figures)},
        parent_params,
    )
    log.info("logged run %s to %s (MLflow run %s)", identity, tracking_uri, tracked["parent_run_id"])
    write_json(job.outputs.tracked, {"run_id": identity, "tracking_uri": tracking_uri, **tracked})
    return tracked
