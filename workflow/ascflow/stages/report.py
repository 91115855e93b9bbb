"""Stage report: the figures, then reports/report.md and reports/report.pdf."""

from __future__ import annotations

import logging
from pathlib import Path

from ascflow.files import read_json
from ascflow.report.build import write_report
from ascflow.report.figures import render_figures
from ascflow.report.gather import gather_results, read_histories, read_runs

log = logging.getLogger("ascflow")


def draw_figures(
    metrics_paths: list[str], history_paths: list[str], comparisons_path: str, figure_paths: dict[str, str]
) -> None:
    """``figure_paths``: each figure's file by key (its stem)."""
    runs, histories = read_runs(metrics_paths), read_histories(history_paths)
    render_figures(runs, histories, figure_paths, read_json(comparisons_path))
    log.info("wrote %d figures", len(figure_paths))


def write_documents(
    *,
    data_summary: str,
    metrics: list[str],
    summary_table: str,
    aggregate_table: str,
    histories: list[str],
    parameters: str,
    comparisons: str,
    folds: list[str],
    figures: list[str],
    benchmarks: list[str],
    settings_digests: dict[str, str],
    config: dict,
    repository: str,
    markdown_path: str,
    pdf_path: str,
) -> None:
    results = gather_results(
        data_summary=data_summary,
        metrics=metrics,
        summary_table=summary_table,
        aggregate_table=aggregate_table,
        histories=histories,
        parameters=parameters,
        benchmarks=benchmarks,
        comparisons=comparisons,
        folds=folds,
        settings_digests=settings_digests,
        config=config,
        repository=repository,
    )
    write_report(results, {Path(path).stem: Path(path) for path in figures}, markdown_path, pdf_path)
    log.info("wrote %s and %s", markdown_path, pdf_path)
