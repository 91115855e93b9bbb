"""Column widths of the PDF's tables: wrapped at spaces, never inside a word."""

from __future__ import annotations

import pytest
from ascflow.report.blocks import Table
from ascflow.report.table_layout import PADDING, TABLE_SIZES, line_count, table_height, table_layout


def measure(text: str, bold: bool, size: float) -> float:
    """A monospaced stand-in for fpdf2's widths: 0.2 mm a character a point, bold wider."""
    return len(text) * size * (0.22 if bold else 0.2)


def longest_word(texts, bold: bool, size: float) -> float:
    return max(measure(word, bold, size) for text in texts for word in text.split())


TABLE = Table(
    ("model", "validation accuracy (epoch kept)", "learning rate", "training time", "why it matters"),
    (
        (
            "rf_10",
            "0.4000 (0.335–0.469)",
            "0.001",
            "1 min 04 s",
            "a transpose keeps each frame's bands together",
        ),
        ("cnn", "0.6900 (0.623–0.750)", "0.0001", "0.04 s", "validating on the test set biases it upward"),
    ),
    align="LRRRL",
)


def test_no_column_is_narrower_than_its_longest_word_and_figures_do_not_wrap():
    layout = table_layout(TABLE, measure, 174.0)
    assert layout.size == TABLE_SIZES[0] and sum(layout.widths) == pytest.approx(174.0)
    pad = 2 * PADDING[0]
    for column, (header, *cells) in enumerate(zip(TABLE.header, *TABLE.rows, strict=True)):
        width = layout.widths[column] - pad
        assert width >= longest_word([header], True, layout.size)
        assert width >= longest_word(cells, False, layout.size)
        if TABLE.alignment[column] == "R":  # figures are never wrapped: "1 min 04 s" stays on one line
            assert all(
                line_count(cell, layout.widths[column], measure, False, layout.size) == 1 for cell in cells
            )


def test_a_narrow_page_takes_a_smaller_font_before_breaking_words():
    natural = table_layout(TABLE, measure, 174.0)
    narrow = table_layout(TABLE, measure, 90.0)
    assert narrow.size < natural.size
    pad = 2 * PADDING[0]
    assert narrow.widths[1] - pad >= measure("0.4000 (0.335–0.469)", False, narrow.size)
    # Too narrow for any size: the smallest, in proportion to the longest words.
    cramped = table_layout(TABLE, measure, 30.0)
    assert cramped.size == TABLE_SIZES[-1] and sum(cramped.widths) == pytest.approx(30.0)


def test_height_counts_the_wrapped_lines():
    layout = table_layout(TABLE, measure, 174.0)
    assert line_count("a b c", 2 * PADDING[0] + measure("a b", False, 7.5), measure, False, 7.5) == 2
    one_line_rows = len(TABLE.rows) + 1
    assert table_height(TABLE, layout, measure) >= one_line_rows * (layout.line_height + 2 * PADDING[1])
