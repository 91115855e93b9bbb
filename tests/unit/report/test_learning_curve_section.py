"""The report's learning-curve section and figure, from the curve's rows."""

from __future__ import annotations

from types import SimpleNamespace

from ascflow.report.blocks import Figure, Heading, Paragraph, Table
from ascflow.report.figures import plot_learning_curve, save_png
from ascflow.report.sections.learning_curve import curve_sentence, learning_curve_blocks


def row(model, fraction, n_train, accuracy, low, high, source="subset"):
    return {
        "model": model,
        "fraction": fraction,
        "n_train": n_train,
        "n_recordings": n_train // 2,
        "accuracy": accuracy,
        "ci95_low": low,
        "ci95_high": high,
        "log_loss": 1.234,
        "source": source,
    }


ROWS = [
    row("rf_10", "0.1", 10, 0.30, 0.20, 0.42),
    row("rf_10", "1", 100, 0.80, 0.71, 0.87, "run"),
    row("cnn", "0.1", 10, 0.50, 0.40, 0.60),
    row("cnn", "1", 100, 0.55, 0.45, 0.64, "run"),
]


def test_no_fractions_no_section():
    assert learning_curve_blocks(SimpleNamespace(learning_curve=[], learning_curve_figure=None)) == []


def test_the_section_tabulates_every_model_and_fraction_and_embeds_the_figure(tmp_path):
    blocks = learning_curve_blocks(SimpleNamespace(learning_curve=ROWS, learning_curve_figure="f.png"))
    assert blocks[0] == Heading("Learning curves")
    (table,) = [block for block in blocks if isinstance(block, Table)]
    assert [cells[:2] for cells in table.rows] == [
        ("rf_10", "10 %"),
        ("rf_10", "100 %"),
        ("cnn", "10 %"),
        ("cnn", "100 %"),
    ]
    assert table.rows[0][4:] == ("0.3000", "0.200–0.420", "1.234")
    assert "At 100 % the point is the run's own model" in blocks[1].text
    assert isinstance(blocks[-1], Figure) and str(blocks[-1].path) == "f.png"
    sentences = [block.text for block in blocks if isinstance(block, Paragraph)][-1]
    assert "rf_10: 0.3000 on 10 % (10 clips) to 0.8000 on 100 % (100 clips), +0.500" in sentences


def test_the_sentence_says_when_the_intervals_overlap():
    cnn = [r for r in ROWS if r["model"] == "cnn"]
    assert "cannot tell the two apart" in curve_sentence("cnn", cnn)
    rf = [r for r in ROWS if r["model"] == "rf_10"]
    assert "do not overlap" in curve_sentence("rf_10", rf)


def test_the_figure_draws_a_line_per_model(tmp_path):
    figure = plot_learning_curve(ROWS)
    (axes,) = figure.axes
    assert len(axes.lines) >= 2 and axes.get_xscale() == "log"
    assert sorted(text.get_text() for text in figure.legends[0].get_texts()) == ["cnn", "rf_10"]
    save_png(figure, tmp_path / "learning_curve.png")
    assert (tmp_path / "learning_curve.png").read_bytes()[:4] == b"\x89PNG"
