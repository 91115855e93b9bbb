"""The prediction benchmark's quick path: its figures, for the bench: line."""

from __future__ import annotations

import pytest

from perf.predict import PREDICT_KEYS, measure_predict


def test_prediction_benchmark_returns_its_figures(tmp_path):
    figures = measure_predict(tmp_path, n_files=5, threads=1)
    written = sorted((tmp_path / "recordings").rglob("*.wav"))
    assert tuple(figures) == PREDICT_KEYS and figures["predict_files"] == len(written) >= 5
    assert figures["predict_files_per_s_per_core"] > 0 and figures["predict_plain_files_per_s"] > 0
    assert figures["predict_throughput_ratio"] == pytest.approx(
        figures["predict_files_per_s_per_core"] / figures["predict_plain_files_per_s"]
    )
    # Both sides wrote a table of every recording, with the same labels.
    for name in ("command.tsv", "plain.tsv"):
        assert len((tmp_path / name).read_text().splitlines()) == 1 + len(written)
