"""This run beside the previous one on the same data."""

from __future__ import annotations

from pathlib import Path

import pytest
from ascflow.report.blocks import Figure
from ascflow.report.sections.earlier_runs import (
    earlier_runs_blocks,
    history_comparison,
    paired_text,
    settings_change_text,
)
from fake_results import CONFIG, fake_history, gather, write_fake_results

RUNS = [
    {"model": "cnn", "accuracy": 0.40, "ci95_low": 0.33, "ci95_high": 0.47},
    {"model": "rf_10", "accuracy": 0.62, "ci95_low": 0.55, "ci95_high": 0.69},
]


def test_nothing_to_compare_on_the_first_run():
    sentence, rows = history_comparison(fake_history(RUNS, {}))
    assert rows == [] and sentence.startswith("There is nothing to compare with yet: history/runs.tsv")


def paired(only_this: int, only_previous: int, p_holm: float, significant: bool) -> dict:
    """A model's paired test as report.history.paired_with_previous gives it."""
    return {
        "first": "previous run",
        "second": "this run",
        "only_first": only_previous,
        "only_second": only_this,
        "p": p_holm,
        "p_holm": p_holm,
        "significant": significant,
    }


def test_change_and_the_settings_that_changed():
    history = fake_history(RUNS, {"cnn": 0.30})
    history["paired"] = {"cnn": paired(20, 0, 0.0001, True)}
    sentence, rows = history_comparison(history)
    cnn, forest = rows
    assert cnn["change"] == pytest.approx(0.40 - 0.30) and cnn["paired"]["significant"]
    assert cnn["changed"] == [("epochs", 3, 4)] and settings_change_text(cnn["changed"]) == "epochs: 3 → 4"
    assert forest["previous"] is None and forest["paired"] is None
    assert "(finished 2024-01-01 10:00, commit abc1234; 1 earlier run(s) recorded" in sentence
    assert "McNemar's exact test reads the clips one run got right and the other wrong" in sentence
    assert sentence.endswith(
        "Holm-adjusted over the 1 model tested. Significant at 5 %: cnn (up, p < 0.001)."
    )
    assert settings_change_text([]) == "none"


def test_a_change_of_three_clips_in_fifteen_is_not_called_significant():
    """The case a one-sided interval flagged: 3 clips of 15 right in this run
    only, none the other way. McNemar's exact test: p = 0.25."""
    runs = [{"model": "rf_10", "accuracy": 0.6, "ci95_low": 0.36, "ci95_high": 0.80}]
    history = fake_history(runs, {"rf_10": 0.4})
    history["paired"] = {"rf_10": paired(3, 0, 0.25, False)}
    sentence, (row,) = history_comparison(history)
    assert sentence.endswith("No model's accuracy changed significantly at 5 %.")
    assert paired_text(row["paired"]) == "3 vs 0 clips, p = 0.250"


def test_without_the_previous_predictions_no_change_is_flagged():
    """An old ledger kept no predictions: no paired test, and nothing flagged."""
    history = fake_history(RUNS, {"cnn": 0.10, "rf_10": 0.62})
    sentence, rows = history_comparison(history)  # no "paired": a ledger of before
    assert all(row["paired"] is None for row in rows)
    assert (
        "No paired test is possible: the ledger kept no per-clip predictions of the previous run" in sentence
    )
    assert "significant" not in sentence.replace("called significant", "")
    history["paired"] = {"cnn": paired(1, 2, 1.0, False), "rf_10": None}
    sentence, _ = history_comparison(history)
    assert sentence.endswith("No paired test is possible for rf_10: the ledger kept none of its predictions.")
    assert paired_text(None) == "none possible: no predictions kept"


def test_one_run_draws_no_figure_and_says_why(tmp_path):
    results = gather(write_fake_results(tmp_path, CONFIG))
    figures = {"history": Path("history.png")}
    results.history = fake_history(results.runs, {})
    blocks = earlier_runs_blocks(results, figures)
    assert not any(isinstance(block, Figure) for block in blocks)
    assert "one point is no trend" in blocks[1].text
    results.history = fake_history(results.runs, {"cnn": 0.3})
    assert any(isinstance(block, Figure) for block in earlier_runs_blocks(results, figures))
