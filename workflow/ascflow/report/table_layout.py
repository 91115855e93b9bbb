"""How wide a table's columns are in the PDF, and how tall the table is.

A cell wraps at spaces only: no column is narrower than its longest word
(a header's in bold), and a right-aligned column, which holds figures
("1 min 04 s", "0.245–0.612"), is never narrower than its widest cell, so a
figure never wraps either. The width left over goes first to the columns
whose cells would wrap, then to the headers, then to every column alike.
Where the words do not fit the page at one font size, the next smaller size
is tried.

Pure arithmetic over a ``measure(text, bold, size)`` function (fpdf2's
string width in mm), so that it is tested without a PDF.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from ascflow.report.blocks import Table

#: Font sizes a table may take, largest first.
TABLE_SIZES = (7.5, 7.0, 6.5, 6.0, 5.5)
#: Horizontal and vertical padding of a cell, in mm.
PADDING = (1.5, 1.0)
#: Slack so that rounding in the PDF never pushes a word onto a line of its own.
SLACK = 0.6
#: mm per line of a cell, per point of font size.
LINE_PER_POINT = 0.55

Measure = Callable[[str, bool, float], float]


@dataclass(frozen=True)
class TableLayout:
    size: float  # font size, points
    widths: tuple[float, ...]  # mm per column

    @property
    def line_height(self) -> float:
        return self.size * LINE_PER_POINT


def _widest(measure: Measure, texts, bold: bool, size: float) -> float:
    return max((measure(text, bold, size) for text in texts), default=0.0)


def _filled(base: list[float], target: list[float], room: float) -> list[float]:
    """``base`` grown towards ``target`` by ``room`` mm in all, in
    proportion to how far each column is from its target."""
    wanted = [max(goal - width, 0.0) for width, goal in zip(base, target, strict=True)]
    total = sum(wanted)
    if total <= 0:
        return base
    share = min(room / total, 1.0)
    return [width + want * share for width, want in zip(base, wanted, strict=True)]


def column_widths(table: Table, measure: Measure, size: float, page_width: float) -> list[float] | None:
    """The columns' widths in mm at font ``size``, filling ``page_width``;
    None where their words alone are wider than the page."""
    pad = 2 * PADDING[0] + SLACK
    columns = list(zip(table.header, *table.rows, strict=True))
    smallest, unwrapped, headed = [], [], []
    for header, align, (_, *cells) in zip(table.header, table.alignment, columns, strict=True):
        header_words = _widest(measure, header.split(), True, size)
        cell_words = (
            _widest(measure, cells, False, size)
            if align == "R"
            else _widest(measure, (word for cell in cells for word in cell.split()), False, size)
        )
        smallest.append(max(header_words, cell_words) + pad)
        unwrapped.append(max(smallest[-1], _widest(measure, cells, False, size) + pad))
        headed.append(max(unwrapped[-1], measure(header, True, size) + pad))
    if sum(smallest) > page_width:
        return None
    widths = _filled(smallest, unwrapped, page_width - sum(smallest))
    widths = _filled(widths, headed, page_width - sum(widths))
    room = page_width - sum(widths)
    return [width + room * width / sum(widths) for width in widths]


def table_layout(table: Table, measure: Measure, page_width: float) -> TableLayout:
    """The largest font size of :data:`TABLE_SIZES` at which no word breaks,
    with its widths; at the smallest size, where even that is too wide, the
    columns in proportion to their longest words (a word may then break)."""
    for size in TABLE_SIZES:
        widths = column_widths(table, measure, size, page_width)
        if widths is not None:
            return TableLayout(size, tuple(widths))
    size = TABLE_SIZES[-1]
    longest = [
        _widest(measure, (word for cell in column for word in cell.split()), False, size) + 1.0
        for column in zip(table.header, *table.rows, strict=True)
    ]
    return TableLayout(size, tuple(page_width * width / sum(longest) for width in longest))


def line_count(text: str, width: float, measure: Measure, bold: bool, size: float) -> int:
    """The lines ``text`` takes in a cell of ``width`` mm, wrapped at spaces."""
    room = width - 2 * PADDING[0]
    lines, current = 1, ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if current and measure(candidate, bold, size) > room:
            lines, current = lines + 1, word
        else:
            current = candidate
    return lines


def table_height(table: Table, layout: TableLayout, measure: Measure) -> float:
    """The table's height in mm, its header and every row wrapped as laid out."""
    height = 0.0
    for index, cells in enumerate((table.header, *table.rows)):
        lines = max(
            line_count(cell, width, measure, index == 0, layout.size)
            for cell, width in zip(cells, layout.widths, strict=True)
        )
        height += lines * layout.line_height + 2 * PADDING[1]
    return math.ceil(height)
