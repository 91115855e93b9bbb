"""This run paired with the previous one on the same data, clip by clip,
from the predictions record_run keeps beside the ledger."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import yaml
from ascflow.ledger import append_run, predictions_path, run_id, run_rows
from ascflow.report.history import paired_with_previous, run_history
from ascflow.report.sections.earlier_runs import history_comparison
from ascflow.stages.history import Ledger, RecordedRun, RecordRun, RunConfig, record_run_job
from ascflow.stages.runtime import Runtime

LABELS = np.arange(15) % 3


def write_run(folder: Path, right: dict[str, int], seconds: float) -> tuple[list[dict], dict[str, Path]]:
    """A run's metrics and predictions: each model right on its first
    ``right[model]`` of the 15 test clips, wrong on the others."""
    folder.mkdir(parents=True)
    metrics, probabilities = [], {}
    for model, n_right in right.items():
        predicted = np.where(np.arange(15) < n_right, LABELS, (LABELS + 1) % 3)
        probabilities[model] = folder / f"{model}.npy"
        np.save(probabilities[model], np.eye(3, dtype=np.float32)[predicted])
        metrics.append(
            {
                "model": model,
                "family": model.split("_")[0],
                "accuracy": n_right / 15,
                "ci95_low": 0.1,
                "ci95_high": 0.9,
                "macro_f1": 0.5,
                "train_seconds": seconds,
                "data_fingerprint": "data1",
                "settings_digest": model,
                "settings": {},
                "seed": 7,
            }
        )
    (folder / "metrics.json").write_text(json.dumps(metrics))
    return metrics, probabilities


def record(tmp_path: Path, metrics: list[dict], probabilities: dict[str, Path], ledger: Path) -> None:
    """Rule record_run's job, as its script builds it."""
    paths = []
    for run in metrics:
        path = tmp_path / "metrics" / f"{run['model']}.json"
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps(run))
        paths.append(str(path))
    job = RecordRun(
        RecordedRun(paths, str(tmp_path / "report.md"), [str(path) for path in probabilities.values()]),
        Ledger(str(ledger), str(tmp_path / "results/config.yaml")),
        RunConfig({"seed": 7, "cnn": {"epochs": 2}}),
        Runtime(workflow_dir=str(tmp_path / "workflow")),  # not a git checkout: no commit
    )
    (tmp_path / "results").mkdir(exist_ok=True)
    record_run_job(job)
    # The config that made the results, as a --configfile takes it.
    assert yaml.safe_load((tmp_path / "results/config.yaml").read_text()) == {"seed": 7, "cnn": {"epochs": 2}}


def test_each_change_is_tested_on_the_clips_both_runs_scored(tmp_path):
    ledger = tmp_path / "history/runs.tsv"
    before, kept = write_run(tmp_path / "first", {"rf_10": 9, "cnn": 14, "lstm": 5}, 1.0)
    del kept["lstm"]  # its predictions not kept, as a ledger of before they were
    record(tmp_path, before, kept, ledger)
    identity = run_id(before)
    assert np.load(predictions_path(ledger, identity, "rf_10")).tolist() == [
        *LABELS[:9].tolist(),
        *((LABELS[9:] + 1) % 3).tolist(),
    ]
    now, probabilities = write_run(tmp_path / "second", {"rf_10": 12, "cnn": 1, "lstm": 6}, 2.0)
    history = run_history(ledger, now)
    np.save(tmp_path / "labels.npy", LABELS)
    paired = paired_with_previous(history, list(probabilities.values()), tmp_path / "labels.npy", 0.05)
    # 3 clips of 15 right in this run only, none the other way: p = 2 / 2^3, no significant change.
    assert (paired["rf_10"]["only_second"], paired["rf_10"]["only_first"]) == (3, 0)
    assert paired["rf_10"]["p"] == 0.25 and not paired["rf_10"]["significant"]
    assert paired["cnn"]["only_first"] == 13 and paired["cnn"]["significant"]
    assert paired["cnn"]["p_holm"] == 2 * paired["cnn"]["p"]  # Holm over the two models tested
    assert paired["lstm"] is None
    history["paired"] = paired
    sentence, _ = history_comparison(history)
    assert "Significant at 5 %: cnn (down, p < 0.001)." in sentence and "rf_10 (" not in sentence
    assert sentence.endswith("No paired test is possible for lstm: the ledger kept none of its predictions.")


def test_a_ledger_without_predictions_pairs_nothing(tmp_path):
    ledger = tmp_path / "history/runs.tsv"
    before, _ = write_run(tmp_path / "first", {"rf_10": 9}, 1.0)
    append_run(ledger, run_rows(before, run_id(before), "2026-01-01T00:00:00Z", None))  # no predictions kept
    now, probabilities = write_run(tmp_path / "second", {"rf_10": 15}, 2.0)
    np.save(tmp_path / "labels.npy", LABELS)
    history = run_history(ledger, now)
    history["paired"] = paired_with_previous(
        history, list(probabilities.values()), tmp_path / "labels.npy", 0.05
    )
    assert history["paired"] == {"rf_10": None}
    sentence, _ = history_comparison(history)
    assert "No paired test is possible" in sentence and "Significant" not in sentence
    # The first run on the data has nothing to pair with.
    assert (
        paired_with_previous(run_history(tmp_path / "none.tsv", now), [], tmp_path / "labels.npy", 0.05) == {}
    )
