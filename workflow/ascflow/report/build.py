"""The report written twice, as Markdown and as PDF, from one document."""

from __future__ import annotations

from pathlib import Path

from ascflow.report.document import build_document
from ascflow.report.gather import Results
from ascflow.report.markdown import write_markdown
from ascflow.report.pdf import write_pdf


def write_report(
    results: Results, figures: dict[str, Path], markdown_path: str | Path, pdf_path: str | Path
) -> None:
    blocks = build_document(results, figures)
    write_markdown(blocks, markdown_path)
    write_pdf(blocks, pdf_path)
