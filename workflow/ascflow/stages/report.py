"""Stage report: the figures, reports/report.md and reports/report.pdf, in one process.

One job, so that Python, matplotlib and the PDF library start once: the
figures are drawn in forked workers (one per thread the job has) while this
process gathers the results and writes the Markdown, then the PDF, which
waits for each figure only where it embeds it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from ascflow.files import read_json
from ascflow.report.document import build_document
from ascflow.report.drawing import start_figures
from ascflow.report.gather import ResultFiles, RunContext, gather_results, read_histories, read_runs
from ascflow.report.history import run_history
from ascflow.report.markdown import write_markdown
from ascflow.report.outputs import is_figure_name
from ascflow.report.pdf import write_pdf
from ascflow.report.reference import study_in_place
from ascflow.stages.runtime import Runtime

log = logging.getLogger("ascflow")


@dataclass(frozen=True)
class ReportOutputs:
    markdown: str
    pdf: str
    figures: dict[str, str] = field(default_factory=dict, metadata={"rest": True})  # by key (its stem)


@dataclass(frozen=True)
class RenderReport:
    inputs: ResultFiles
    outputs: ReportOutputs
    settings: RunContext
    runtime: Runtime = field(default_factory=Runtime)


def remove_stale_figures(figures: dict[str, str]) -> list[Path]:
    """Remove each figure file in the figures' folder that this run does
    not make: an earlier run's with other models or settings (a
    confusion_rf_50.png after a run without rf_50), so that the folder the
    report sends its readers to shows exactly this run. Only files named
    as the report names its figures are touched; returns those removed."""
    declared = {Path(path).resolve() for path in figures.values()}
    removed = []
    for folder in {Path(path).parent for path in figures.values()}:
        for path in sorted(folder.glob("*.png")):
            if is_figure_name(path.name) and path.resolve() not in declared:
                path.unlink()
                removed.append(path)
    return removed


def render_report(job: RenderReport) -> None:
    """With a ledger (history/runs.tsv), the report compares this run with
    the earlier ones (rule record_run adds this one once the report is written)."""
    inputs, outputs, settings = job.inputs, job.outputs, job.settings
    repository = Path(job.runtime.workflow_dir).parent
    for path in remove_stale_figures(outputs.figures):
        log.info("removed %s, a figure of an earlier run that this one does not make", path)
    # The figures' few inputs are read here, and again by gather_results, so
    # that the workers draw while the slower gathering (every table, the
    # checks, git) runs: reading them twice costs milliseconds, waiting 0.1 s.
    runs, history_rows = read_runs(inputs.metrics), read_histories(inputs.histories)
    drawing = start_figures(
        runs,
        history_rows,
        outputs.figures,
        read_json(inputs.comparisons),
        job.runtime.threads,
        sweeps=[read_json(path) for path in inputs.selections],
        history=run_history(settings.ledger, runs) if settings.ledger else None,
        study=study_in_place(read_json(inputs.data_summary)),
    )
    results = gather_results(inputs, settings, repository)
    blocks = build_document(results, {Path(path).stem: Path(path) for path in outputs.figures.values()})
    write_markdown(blocks, outputs.markdown)  # links the figures: needs them drawn only to be read
    write_pdf(blocks, outputs.pdf, wait_for=drawing.wait_for)  # embeds each figure once it is drawn
    drawing.wait_all()  # every figure is written (or a worker's error raised here)
    log.info("wrote %d figures, %s and %s", len(outputs.figures), outputs.markdown, outputs.pdf)
