"""This run beside the previous one on the same data."""

from __future__ import annotations

import pytest
from ascflow.report.sections.earlier_runs import history_comparison, settings_change_text
from fake_results import fake_history

RUNS = [
    {"model": "cnn", "accuracy": 0.40, "ci95_low": 0.33, "ci95_high": 0.47},
    {"model": "rf_10", "accuracy": 0.62, "ci95_low": 0.55, "ci95_high": 0.69},
]


def test_nothing_to_compare_on_the_first_run():
    sentence, rows = history_comparison(fake_history(RUNS, {}))
    assert rows == [] and sentence.startswith("There is nothing to compare with yet: history/runs.tsv")


def test_change_against_the_interval_and_the_settings_that_changed():
    sentence, rows = history_comparison(fake_history(RUNS, {"cnn": 0.30}))
    cnn, forest = rows
    assert (
        cnn["change"] == 0.40 - 0.30 and cnn["beyond_half_width"] and cnn["half_width"] == pytest.approx(0.07)
    )
    assert cnn["changed"] == [("epochs", 3, 4)] and settings_change_text(cnn["changed"]) == "epochs: 3 → 4"
    assert forest["previous"] is None and forest["beyond_half_width"] is None
    assert "(finished 2024-01-01 10:00, commit abc1234; 1 earlier run(s) recorded" in sentence
    assert sentence.endswith("Changes larger than this run's 95 % interval half-width: cnn.")
    assert settings_change_text([]) == "none"
