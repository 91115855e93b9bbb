"""Picking runs: by family, the best and the worst."""

from __future__ import annotations

from ascflow.report.sections.runs import best_run, runs_of, worst_run

RUNS = [
    {"model": "rf_10", "family": "rf", "accuracy": 0.62},
    {"model": "cnn", "family": "cnn", "accuracy": 0.40},
    {"model": "lstm", "family": "lstm", "accuracy": 0.69},
]


def test_runs_of_families_keep_their_order():
    assert [run["model"] for run in runs_of(RUNS, ("lstm", "cnn"))] == ["cnn", "lstm"]
    assert runs_of(RUNS, ()) == []


def test_best_and_worst_by_test_accuracy():
    assert best_run(RUNS)["model"] == "lstm" and worst_run(RUNS)["model"] == "cnn"
    assert best_run(RUNS[:1]) is worst_run(RUNS[:1])
