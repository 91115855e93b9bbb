"""The PDF report: the same numbers and figures as the Markdown (read with poppler)."""

from __future__ import annotations

import re
import subprocess

from ascflow.report import reference
from ascflow.report.blocks import Figure, Heading, Paragraph
from ascflow.report.pdf import write_pdf
from fake_results import needs_poppler, pdf_text, section, table_rows
from PIL import Image


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


def words(text: str) -> set[str]:
    """The words of a text, without the Markdown's and the tables' marks;
    pdftotext may close up the narrow spaces around × ("2×9×4"): not a break."""
    return {word.strip("|*`()[]!,.;:") for word in text.replace("×", " × ").split()} - {""}


def pdf_layout_text(path, *pages: int) -> str:
    first_last = ["-f", str(pages[0]), "-l", str(pages[-1])] if pages else []
    return subprocess.run(
        ["pdftotext", "-layout", *first_last, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@needs_poppler
def test_no_word_breaks_across_the_lines_of_a_cell(report):
    """Every word the PDF shows is a word of the report: a header or cell
    broken inside a word ("validate|d on", "accurac|y", "macro-F|1") leaves
    pieces that are not."""
    markdown_path, pdf_path, _ = report
    pieces = words(pdf_layout_text(pdf_path)) - words(markdown_path.read_text())
    assert pieces <= {"page", "•"} | {str(n) for n in range(1, 40)}, pieces  # the footer, the bullets


@needs_poppler
def test_table_headers_read_whole_in_the_pdf(report):
    markdown_path, pdf_path, _ = report
    text = pdf_layout_text(pdf_path)
    for word in ("accuracy", "macro-F1", "learning", "validated", "parameters", "multiply-adds"):
        assert re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text), word


def tall_figure(path, height_share: float = 0.9) -> Figure:
    """A blank figure about half a page tall at the text's width."""
    Image.new("RGB", (1000, round(1000 * height_share)), "white").save(path)
    return Figure(path, "A tall figure.")


@needs_poppler
def test_text_fills_the_page_before_a_figure_that_does_not_fit(tmp_path):
    """A figure too tall for what is left of the page waits for the text
    after it in its section, which fills the page, instead of leaving the
    page half empty; without text to follow it starts the next page."""
    filler = Paragraph(" ".join(["Some words of a long paragraph."] * 95))
    blocks = [
        Heading("First"),
        filler,
        tall_figure(tmp_path / "tall.png"),
        Paragraph("FOLLOWING TEXT of the section."),
        Heading("Second"),
        Paragraph("NEXT SECTION text."),
    ]
    write_pdf(blocks, tmp_path / "floated.pdf")
    first_page = pdf_layout_text(tmp_path / "floated.pdf", 1)
    assert "FOLLOWING TEXT" in first_page and "NEXT SECTION" not in first_page
    second_page = pdf_layout_text(tmp_path / "floated.pdf", 2)
    assert "A tall figure." in second_page and second_page.index("A tall figure.") < second_page.index(
        "Second"
    )
    # Nothing to fill the page with: the figure starts the next page, in its place.
    write_pdf(blocks[:3] + blocks[4:], tmp_path / "in_place.pdf")
    assert "A tall figure." in pdf_layout_text(tmp_path / "in_place.pdf", 2)
    assert "NEXT SECTION" not in pdf_layout_text(tmp_path / "in_place.pdf", 1)
