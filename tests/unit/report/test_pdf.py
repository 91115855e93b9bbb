"""The PDF report: the same numbers and figures as the Markdown (read with poppler)."""

from __future__ import annotations

import subprocess

from ascflow.report import reference
from fake_results import needs_poppler, pdf_text, section, table_rows


@needs_poppler
def test_pdf_holds_the_same_numbers_as_the_markdown(report):
    markdown_path, pdf_path, _ = report
    text = pdf_text(pdf_path)
    for cells in table_rows(section(markdown_path.read_text(), "Accuracy on the test set")).values():
        assert cells[1] in text and cells[2] in text  # accuracy and its interval
    for value in reference.ACCURACY.values():
        assert f"{value:.4f}" in text
    assert "36,902,400" in text and "4,926,410" in text


@needs_poppler
def test_pdf_embeds_every_figure_of_the_markdown(report):
    _, pdf_path, _ = report
    listing = subprocess.run(
        ["pdfimages", "-list", str(pdf_path)], capture_output=True, text=True, check=True
    )
    images = [line for line in listing.stdout.splitlines()[2:] if line.split()[2] == "image"]
    assert len(images) == 7
