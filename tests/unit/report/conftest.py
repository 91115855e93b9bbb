"""The report of the fake results, made once for every report test that reads it."""

from __future__ import annotations

import pytest
from fake_results import CONFIG, make_report


@pytest.fixture(scope="session")
def report(tmp_path_factory):
    """(Markdown path, PDF path, figure files) of the shipped config's fake run; read-only."""
    return make_report(tmp_path_factory.mktemp("report"), CONFIG)
