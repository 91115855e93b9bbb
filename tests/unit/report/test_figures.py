"""The report's figures, drawn by forked workers."""

from __future__ import annotations

import pytest
from ascflow.report.drawing import start_figures
from ascflow.report.figures import plot_accuracy, plot_confusion, plot_history, wrapped
from fake_results import CONFIG, gather, write_fake_results


def test_forked_figure_workers_draw_what_one_process_draws(report, tmp_path):
    """render_report's two workers write the same PNG files, byte for byte,
    as drawing them all in this process did; a worker's error reaches the caller."""
    _, _, figures = report
    results = gather(write_fake_results(tmp_path / "results", CONFIG))
    outputs = {key: tmp_path / "forked" / path.name for key, path in figures.items()}
    (tmp_path / "forked").mkdir()
    pending = start_figures(results.runs, results.histories, outputs, results.comparisons, workers=2)
    pending.wait_for(outputs["accuracy"], timeout=120)
    assert outputs["accuracy"].read_bytes() == figures["accuracy"].read_bytes()
    pending.wait_all(timeout=120)
    for key, path in figures.items():
        assert outputs[key].read_bytes() == path.read_bytes(), key
    broken = start_figures(
        results.runs,
        results.histories,
        {**outputs, "no_such_figure": tmp_path / "x.png"},
        results.comparisons,
        workers=2,
    )
    with pytest.raises(ValueError, match="no figure is called 'no_such_figure'"):
        broken.wait_all(timeout=120)


def test_class_names_are_wrapped_whole_never_cut():
    assert wrapped("cafe/restaurant") == "cafe/\nrestaurant"
    assert wrapped("city center") == "city center" and wrapped("residential area") == "residential\narea"
    assert wrapped("grocery_store_and_market") == "grocery_store_and_market"  # one word: whole


def test_confusion_matrix_axes_carry_the_full_class_names(tmp_path):
    results = gather(write_fake_results(tmp_path, CONFIG))
    figure = plot_confusion(results.runs[0])
    axes = figure.axes[0]
    for ticks in (axes.get_xticklabels(), axes.get_yticklabels()):
        assert [tick.get_text().replace("\n", "") for tick in ticks] == results.runs[0]["class_names"]


def test_the_reference_is_drawn_on_the_built_in_data_only(tmp_path):
    runs = gather(write_fake_results(tmp_path, CONFIG)).runs

    def labels(study: bool) -> list[str]:
        handles = plot_accuracy(runs, 5, study).legends[0].get_texts()
        return [text.get_text() for text in handles]

    assert "reference (measured on the reference's data)" in labels(True)
    assert not any("reference" in label for label in labels(False))


def test_one_run_draws_a_sentence_not_a_point():
    one = {"runs": [[{"model": "cnn", "accuracy": 0.5, "ci95_low": 0.4, "ci95_high": 0.6}]]}
    figure = plot_history(one)
    assert figure.axes == [] and "No earlier run on this data" in figure.texts[0].get_text()
    two = {"runs": one["runs"] * 2}
    assert len(plot_history(two).axes) == 1
