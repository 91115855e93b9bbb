"""write_report: the Markdown and the PDF from the same blocks."""

from __future__ import annotations

import shutil

from fake_results import CONFIG, make_report, pdf_text, with_changes


def test_validation_on_the_test_set_is_warned_in_both_formats(report, tmp_path):
    _, _, figures = report
    config = with_changes(CONFIG, validation={"mode": "test"}, lstm={"time_major": "reshape"})
    markdown_path, pdf_path, _ = make_report(tmp_path, config, figures)
    markdown = markdown_path.read_text()
    assert "WARNING: Validated (and early-stopped) on the test set" in markdown
    assert "(cnn, lstm)" in markdown
    assert "time-major input built by reshape" in markdown.lower()
    if shutil.which("pdftotext"):
        assert "WARNING: Validated (and early-stopped) on the test set" in pdf_text(pdf_path)
