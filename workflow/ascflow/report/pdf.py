"""The report as a PDF, drawn with fpdf2: real tables, selectable text, the
figures embedded, and no LaTeX.

fpdf2's built-in fonts cover latin-1 only; the DejaVu fonts that matplotlib
ships (so they are always there) cover every character the report uses
(±, ×, –, …).
"""

from __future__ import annotations

import logging
import math
from functools import singledispatch
from pathlib import Path

import matplotlib
from fpdf import FPDF
from fpdf.fonts import FontFace
from PIL import Image

from ascflow.files import atomic_path
from ascflow.report.blocks import Alert, Block, Bullets, Code, Figure, Heading, Paragraph, Table, Title
from ascflow.report.table_layout import PADDING, table_height, table_layout

FONT = "DejaVu"
MONO = "DejaVuMono"
FONT_FILES = {
    (FONT, ""): "DejaVuSans.ttf",
    (FONT, "B"): "DejaVuSans-Bold.ttf",
    (FONT, "I"): "DejaVuSans-Oblique.ttf",
    (FONT, "BI"): "DejaVuSans-BoldOblique.ttf",
    (MONO, ""): "DejaVuSansMono.ttf",
}
TEXT_ALIGN = {"L": "LEFT", "R": "RIGHT", "C": "CENTER"}

INK = (33, 37, 41)
MUTED = (108, 117, 125)
ACCENT = (31, 78, 121)
ALERT_INK, ALERT_FILL = (140, 20, 20), (252, 234, 232)
HEADER_FILL, ZEBRA_FILL, CODE_FILL = (226, 232, 240), (247, 248, 250), (243, 244, 246)
RULE = (190, 197, 205)

BODY_SIZE, SMALL_SIZE = 9.5, 8
LINE = 4.8  # mm per line of body text
#: Space a heading needs with the first lines of what follows it, so that
#: it never ends a page alone.
HEADING_KEEP = 45
#: Space below a figure for its caption.
CAPTION_SPACE = 10


class ReportPDF(FPDF):
    def __init__(self, title: str):
        super().__init__(format="A4", unit="mm")
        self.report_title = title
        fonts = Path(matplotlib.get_data_path(), "fonts", "ttf")
        for (family, style), file_name in FONT_FILES.items():
            self.add_font(family, style, str(fonts / file_name))
        self.set_margins(18, 16, 18)
        self.set_auto_page_break(True, margin=18)
        self.set_title(title)
        self.set_author("ascflow")
        self.set_creator("ascflow (fpdf2)")
        self.set_lang("en")
        self.set_text_color(*INK)

    def footer(self):
        self.set_y(-12)
        self.set_font(FONT, "", 7)
        self.set_text_color(*MUTED)
        self.cell(self.epw / 2, 5, self.report_title, align="L")
        self.cell(self.epw / 2, 5, f"page {self.page_no()} of {{nb}}", align="R")
        self.set_text_color(*INK)

    def body_font(self, style: str = "", size: float = BODY_SIZE) -> None:
        self.set_font(FONT, style, size)

    def ensure_space(self, height: float) -> None:
        """Start a new page unless ``height`` mm fit on this one."""
        if self.get_y() + height > self.page_break_trigger:
            self.add_page()


@singledispatch
def render(block: Block, pdf: ReportPDF) -> None:
    raise TypeError(f"no PDF rendering for {type(block).__name__}")


@render.register
def _(block: Title, pdf: ReportPDF) -> None:
    pdf.body_font("B", 17)
    pdf.set_text_color(*ACCENT)
    pdf.multi_cell(0, 8, block.text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*MUTED)
    pdf.body_font("", SMALL_SIZE)
    pdf.multi_cell(0, 4.2, block.subtitle, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*INK)
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(0.5)
    pdf.line(pdf.l_margin, pdf.get_y() + 2, pdf.l_margin + pdf.epw, pdf.get_y() + 2)
    pdf.ln(5)


@render.register
def _(block: Heading, pdf: ReportPDF) -> None:
    pdf.ln(3 if block.level > 1 else 5)
    # Sections become the PDF's outline (bookmarks) as well.
    pdf.start_section(block.text, level=block.level - 1)
    pdf.body_font("B", 13 if block.level == 1 else 10.5)
    pdf.set_text_color(*ACCENT)
    pdf.multi_cell(0, 6.5 if block.level == 1 else 5.5, block.text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*INK)
    pdf.ln(1)


@render.register
def _(block: Paragraph, pdf: ReportPDF) -> None:
    pdf.body_font()
    pdf.multi_cell(0, LINE, block.text, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)


@render.register
def _(block: Bullets, pdf: ReportPDF) -> None:
    pdf.body_font()
    indent = 5
    for item in block.items:
        pdf.cell(indent, LINE, "•")
        pdf.multi_cell(pdf.epw - indent, LINE, item, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(0.8)
    pdf.ln(1.5)


@render.register
def _(block: Alert, pdf: ReportPDF) -> None:
    pdf.body_font("B")
    pdf.set_text_color(*ALERT_INK)
    pdf.set_fill_color(*ALERT_FILL)
    pdf.set_draw_color(*ALERT_INK)
    pdf.set_line_width(0.3)
    pdf.multi_cell(
        0, LINE, block.text, border=1, fill=True, padding=2.5, align="L", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_text_color(*INK)
    pdf.set_draw_color(*RULE)
    pdf.ln(2)


def measure(pdf: ReportPDF):
    """fpdf2's width of a text in mm, in the body font, bold or not, at a size."""

    def width(text: str, bold: bool, size: float) -> float:
        pdf.set_font(FONT, "B" if bold else "", size)
        return pdf.get_string_width(text)

    return width


def kept_height(block: Table, pdf: ReportPDF) -> float:
    """The height of a table that is kept on one page (it fits on one);
    0 for a longer one, which may break anywhere, its header repeated."""
    height = table_height(block, table_layout(block, measure(pdf), pdf.epw), measure(pdf))
    if block.caption:  # kept with its table
        lines = math.ceil(measure(pdf)(block.caption, False, SMALL_SIZE) / pdf.epw * 1.1)
        height += 1 + 4 * lines
    return height if height < pdf.page_break_trigger - pdf.t_margin else 0.0


@render.register
def _(block: Table, pdf: ReportPDF) -> None:
    layout = table_layout(block, measure(pdf), pdf.epw)
    pdf.ensure_space(kept_height(block, pdf))
    pdf.body_font("", layout.size)
    pdf.set_fill_color(*ZEBRA_FILL)
    pdf.set_draw_color(*RULE)
    pdf.set_line_width(0.2)
    with pdf.table(
        width=min(sum(layout.widths), pdf.epw),
        col_widths=layout.widths,
        text_align=tuple(TEXT_ALIGN[letter] for letter in block.alignment),
        headings_style=FontFace(emphasis="BOLD", fill_color=HEADER_FILL),
        borders_layout="HORIZONTAL_LINES",
        cell_fill_color=ZEBRA_FILL,
        cell_fill_mode="ROWS",
        line_height=layout.line_height,
        padding=(PADDING[1], PADDING[0]),
        v_align="TOP",
    ) as table:
        for cells in (block.header, *block.rows):
            row = table.row()
            for cell in cells:
                row.cell(cell)
    if block.caption:
        pdf.ln(1)
        pdf.body_font("I", SMALL_SIZE)
        pdf.set_text_color(*MUTED)
        pdf.multi_cell(0, 4, block.caption, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(*INK)
    pdf.ln(3)


def figure_size(block: Figure, pdf: ReportPDF) -> tuple[float, float]:
    """Width and height in mm of a figure as the page shows it."""
    with Image.open(block.path) as image:
        pixels_wide, pixels_high = image.size
    width = pdf.epw * block.width
    return width, width * pixels_high / pixels_wide


@render.register
def _(block: Figure, pdf: ReportPDF) -> None:
    width, height = figure_size(block, pdf)
    pdf.ensure_space(height + CAPTION_SPACE)
    top = pdf.get_y()
    pdf.image(str(block.path), x=pdf.l_margin + (pdf.epw - width) / 2, y=top, w=width, alt_text=block.caption)
    pdf.set_y(top + height + 1)
    pdf.body_font("I", SMALL_SIZE)
    pdf.set_text_color(*MUTED)
    pdf.multi_cell(0, 4, block.caption, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*INK)
    pdf.ln(3)


@render.register
def _(block: Code, pdf: ReportPDF) -> None:
    pdf.set_font(MONO, "", 7)
    pdf.set_fill_color(*CODE_FILL)
    pdf.multi_cell(0, 3.4, block.text.rstrip(), fill=True, padding=2.5, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


#: Blocks of text that may fill the rest of a page before a figure that
#: does not fit on it: the figure follows them, at the top of the next page.
FLOWING = (Paragraph, Bullets, Alert, Table, Code)


def fits(block: Figure, pdf: ReportPDF) -> bool:
    return pdf.get_y() + figure_size(block, pdf)[1] + CAPTION_SPACE <= pdf.page_break_trigger


class Layout:
    """The blocks laid out one after the other, a figure that does not fit
    on the page held back while the text after it in its section fills the
    page (as LaTeX floats a figure): no page ends half empty before a figure
    that text could have preceded. Figures keep their order and section."""

    def __init__(self, pdf: ReportPDF):
        self.pdf = pdf
        self.held: list[Figure] = []
        self.held_on = 0  # the page the held figures did not fit on

    def place(self, block: Block, following: Block | None) -> None:
        pdf = self.pdf
        if self.held and not isinstance(block, FLOWING):
            self.release()
        if isinstance(block, Figure) and isinstance(following, FLOWING) and not fits(block, pdf):
            self.held.append(block)
            self.held_on = pdf.page_no()
            return
        if isinstance(block, Heading):
            # A heading stays with what follows it: a figure, a table kept
            # whole, or the first lines of text.
            keep = HEADING_KEEP
            if isinstance(following, Figure):
                keep += figure_size(following, pdf)[1] + CAPTION_SPACE
            elif isinstance(following, Table):
                keep = max(keep, kept_height(following, pdf) + 16)
            pdf.ensure_space(keep)
        render(block, pdf)
        if self.held and pdf.page_no() > self.held_on:
            self.release()  # the text went on to the next page: the figures follow it there

    def release(self) -> None:
        for figure in self.held:
            render(figure, self.pdf)
        self.held = []


def write_pdf(blocks: list[Block], path: str | Path, wait_for=lambda figure_path: None) -> None:
    """The document as a PDF at ``path``; ``wait_for(figure_path)`` returns
    once that figure's file is written (the figures may still be drawn
    while the pages before them are laid out)."""
    # fontTools logs each step of subsetting the fonts at INFO, some hundred
    # lines that would bury the rule's own log.
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    title = next((block.text for block in blocks if isinstance(block, Title)), "ascflow report")
    pdf = ReportPDF(title)
    pdf.add_page()
    layout = Layout(pdf)
    for block, following in zip(blocks, [*blocks[1:], None], strict=True):
        for figure in (block, following):
            if isinstance(figure, Figure):
                wait_for(figure.path)
        layout.place(block, following)
    layout.release()
    with atomic_path(path) as partial:
        pdf.output(str(partial))
