"""The report's figures, drawn by forked workers."""

from __future__ import annotations

import pytest
from ascflow.report.figures import start_figures
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
