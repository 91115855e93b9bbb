"""How the report writes its numbers."""

from __future__ import annotations

from ascflow.report.sections.formatting import (
    NOT_APPLICABLE,
    count_text,
    counted,
    duration_text,
    mean_sd_text,
    model_size_text,
)


def test_durations_in_the_unit_that_reads_best():
    assert [duration_text(seconds) for seconds in (None, 41.54, 75, 3_599.6, 3 * 3_600 + 7 * 60 + 31)] == [
        NOT_APPLICABLE,
        "41.5 s",
        "1 min 15 s",
        "1 h 00 min",
        "3 h 07 min",
    ]


def test_mean_with_its_spread_where_there_is_one():
    assert mean_sd_text(0.6, 0.14142) == "0.6000 ± 0.1414"
    assert mean_sd_text(0.6, None) == "0.6000"
    assert mean_sd_text(None, None) == NOT_APPLICABLE


def test_counts_and_sizes():
    assert count_text(36_902_400) == "36,902,400" and count_text(None) == NOT_APPLICABLE
    assert counted(1, "clip") == "1 clip" and counted(1_200, "clip") == "1,200 clips"
    assert model_size_text({"n_params": 562_159}) == "562,159 parameters"
    assert model_size_text({"n_params": None, "tree_nodes": 400}) == "400 tree nodes"
    assert model_size_text({}) == NOT_APPLICABLE


def test_sub_second_durations_keep_their_hundredths():
    """A small forest trains in hundredths of a second: not "0.0 s"."""
    assert [duration_text(seconds) for seconds in (0.004, 0.04, 0.456, 0.995, 1.04)] == [
        "< 0.01 s",
        "0.04 s",
        "0.46 s",
        "0.99 s",
        "1.0 s",
    ]
