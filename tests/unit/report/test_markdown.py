"""The Markdown report: what it states, and the figures it links."""

from __future__ import annotations

import re


def test_markdown_states_the_synthetic_data_and_links_existing_figures(report):
    markdown_path, _, _ = report
    markdown = markdown_path.read_text()
    assert "built-in synthetic data set" in markdown
    assert "WARNING" not in markdown
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", markdown)
    # accuracy, the significance matrix, recall, best and worst confusion, two training curves
    assert len(links) == 7
    assert all((markdown_path.parent / link).is_file() for link in links)
