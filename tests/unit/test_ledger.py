"""The history of runs (history/runs.tsv): rows per model, appended once per
run, under a lock that two processes finishing at once share."""

import multiprocessing

import numpy as np
from ascflow.ledger import (
    append_run,
    changed_settings,
    keep_predictions,
    predictions_path,
    previous_run,
    read_ledger,
    recorded_predictions,
    run_id,
    run_rows,
    runs_on,
)


def metrics(accuracy: float, units: int = 4, seconds: float = 1.0, fingerprint: str = "data1") -> list[dict]:
    common = {"data_fingerprint": fingerprint, "ci95_low": 0.1, "ci95_high": 0.9, "macro_f1": 0.5}
    return [
        {**common, "model": "rf_10", "family": "rf", "accuracy": 0.5, "train_seconds": seconds,
         "settings_digest": "r", "settings": {"n_estimators": 10}, "seed": 7},
        {**common, "model": "lstm", "family": "lstm", "accuracy": accuracy, "train_seconds": seconds,
         "settings_digest": f"l{units}", "settings": {"units": units}, "seed": 7, "refit": True},
    ]  # fmt: skip


def rows(accuracy: float, units: int = 4, seconds: float = 1.0, fingerprint: str = "data1") -> list[dict]:
    run = metrics(accuracy, units, seconds, fingerprint)
    return run_rows(run, run_id(run), f"2026-01-01T00:00:{int(seconds):02d}Z", "abc123")


def test_a_run_is_appended_once_with_a_row_per_model(tmp_path):
    ledger = tmp_path / "history/runs.tsv"
    first = rows(0.4)
    assert append_run(ledger, first) and not append_run(ledger, first)  # a re-rendered report adds nothing
    assert append_run(ledger, rows(0.6, units=5, seconds=2.0))
    recorded = read_ledger(ledger)
    assert [(row["model"], row["accuracy"]) for row in recorded] == [
        ("rf_10", 0.5),
        ("lstm", 0.4),
        ("rf_10", 0.5),
        ("lstm", 0.6),
    ]
    assert recorded[1]["settings"]["lstm.units"] == 4 and recorded[1]["commit"] == "abc123"
    assert ledger.read_text().count("run_id\t") == 1


def test_the_previous_run_is_the_last_on_the_same_data_before_this_one(tmp_path):
    ledger = tmp_path / "runs.tsv"
    first, other_data, second = rows(0.4), rows(0.3, seconds=3.0, fingerprint="data2"), rows(0.6, 5, 2.0)
    for run in (first, other_data):
        append_run(ledger, run)
    recorded = read_ledger(ledger)
    assert previous_run(recorded, second)[0]["run_id"] == first[0]["run_id"]
    append_run(ledger, second)  # recorded now: a re-render still compares with the run before it
    assert previous_run(read_ledger(ledger), second)[0]["run_id"] == first[0]["run_id"]
    assert previous_run(read_ledger(ledger), first) == []
    assert [run[0]["run_id"] for run in runs_on(read_ledger(ledger), "data1")] == [
        first[0]["run_id"],
        second[0]["run_id"],
    ]
    lstm = {row["model"]: row for row in read_ledger(ledger)[-2:]}["lstm"]
    assert changed_settings(recorded[1]["settings"], lstm["settings"]) == [("lstm.units", 4, 5)]


def _append_many(path: str, offset: int, count: int) -> None:
    for index in range(count):
        append_run(path, rows(0.5, units=offset + index, seconds=float(offset + index)))


def test_two_processes_appending_at_once_keep_every_row_whole(tmp_path):
    ledger = str(tmp_path / "runs.tsv")
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_append_many, args=(ledger, offset, 15)) for offset in (0, 100)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    recorded = read_ledger(ledger)
    assert len(recorded) == 2 * 15 * 2 and len({row["run_id"] for row in recorded}) == 30
    lines = (tmp_path / "runs.tsv").read_text().splitlines()
    assert lines[0].startswith("run_id\t") and sum(line.startswith("run_id\t") for line in lines) == 1
    assert all(line.count("\t") == lines[0].count("\t") for line in lines)


def test_a_runs_predicted_classes_are_kept_beside_the_ledger(tmp_path):
    ledger = tmp_path / "history/runs.tsv"
    np.save(tmp_path / "lstm.npy", np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]], dtype=np.float32))
    keep_predictions(ledger, "run1", {"lstm": tmp_path / "lstm.npy"})
    assert predictions_path(ledger, "run1", "lstm") == tmp_path / "history/predictions/run1/lstm.npy"
    assert recorded_predictions(ledger, "run1", "lstm").tolist() == [1, 0, 1]  # the classes only
    assert recorded_predictions(ledger, "run1", "cnn") is None  # none kept: a ledger of before
    assert recorded_predictions(ledger, "run0", "lstm") is None
