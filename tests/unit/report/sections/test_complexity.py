"""The complexity budget: each model against the limits."""

from __future__ import annotations

from ascflow.report.sections.complexity import complexity_basis, complexity_verdict
from fake_results import (
    CONFIG,
    render_markdown,
    section,
    table_rows,
    with_complexity_budget,
    write_fake_results,
)


def test_complexity_table_has_a_row_per_model_with_its_verdict(tmp_path):
    inputs = write_fake_results(tmp_path, CONFIG)
    with_complexity_budget(inputs)
    markdown = render_markdown(inputs, tmp_path)
    text = section(markdown, "Complexity budget")
    rows = table_rows(text)
    assert list(rows) == ["rf_10", "rf_50", "rf_100", "cnn", "lstm"]
    assert rows["cnn"][1:] == ["562,159", "2,195.9", "549.0", "128,000,000", "12,800,000", "no: memory"]
    # Forests: tree nodes, one value each; no multiplications.
    assert rows["rf_10"][1:] == ["10,000", "39.1", "9.8", "0", "0", "yes"]
    assert rows["rf_100"][1:4] == ["100,000", "390.6", "97.7"] and rows["rf_100"][-1] == "at int8 only"
    assert "128 KB of parameter memory and 30,000,000 multiply-accumulates" in text
    assert "DCASE 2022-2024 Task 1" in text and "frames at a 20 ms hop" in text


def test_verdict_names_each_limit_missed():
    fits = {"fits_memory_float32": True, "fits_memory_int8": True, "fits_macs": True}
    assert complexity_verdict(fits) == "yes"
    assert complexity_verdict({**fits, "fits_memory_float32": False}) == "at int8 only"
    assert complexity_verdict({**fits, "fits_macs": False}) == "no: MACs"
    assert complexity_verdict(
        {"fits_memory_float32": False, "fits_memory_int8": False, "fits_macs": False}
    ) == ("no: memory and MACs")


def test_basis_states_where_the_clip_length_comes_from():
    budget = {
        "limits": {"parameter_memory_kb": 128, "macs_per_second": 30_000_000},
        "clip_seconds": 10.0,
        "clip_seconds_from": "audio",
    }
    assert "a clip is 10 s of audio (the clip length the recordings were cut to)" in complexity_basis(budget)
