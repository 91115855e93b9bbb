"""Stage report: the figures, reports/report.md and reports/report.pdf, in one process.

One job, so that Python, matplotlib and the PDF library start once: the
figures are drawn in forked workers (one per thread the job has) while this
process gathers the results and writes the Markdown; the PDF, which embeds
the figures, comes last.
"""

from __future__ import annotations

import logging
from pathlib import Path

from ascflow.files import read_json
from ascflow.report.document import build_document
from ascflow.report.figures import start_figures
from ascflow.report.gather import gather_results, read_histories, read_runs
from ascflow.report.markdown import write_markdown
from ascflow.report.pdf import write_pdf

log = logging.getLogger("ascflow")


def render_report(
    *,
    data_summary: str,
    metrics: list[str],
    summary_table: str,
    aggregate_table: str,
    histories: list[str],
    parameters: str,
    comparisons: str,
    folds: list[str],
    figure_paths: dict[str, str],
    benchmarks: list[str],
    settings_digests: dict[str, str],
    config: dict,
    repository: str,
    markdown_path: str,
    pdf_path: str,
    threads: int = 1,
    predictions: list[str] = (),
) -> None:
    """``figure_paths``: each figure's file by key (its stem)."""
    # The figures' few inputs are read here, and again by gather_results, so
    # that the workers draw while the slower gathering (every table, the
    # checks, git) runs: reading them twice costs milliseconds, waiting 0.1 s.
    runs, history_rows = read_runs(metrics), read_histories(histories)
    drawing = start_figures(runs, history_rows, figure_paths, read_json(comparisons), threads)
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
        predictions=predictions,
        settings_digests=settings_digests,
        config=config,
        repository=repository,
    )
    blocks = build_document(results, {Path(path).stem: Path(path) for path in figure_paths.values()})
    write_markdown(blocks, markdown_path)  # links the figures: needs them drawn only to be read
    if drawing is not None:
        drawing.get()  # every figure is written (or a worker's error raised here)
    log.info("wrote %d figures", len(figure_paths))
    write_pdf(blocks, pdf_path)  # embeds the figures
    log.info("wrote %s and %s", markdown_path, pdf_path)
