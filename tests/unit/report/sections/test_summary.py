"""The report's opening: title, warnings and summary."""

from __future__ import annotations

from ascflow.report.sections.summary import reference_faithful_warnings, title_blocks
from fake_results import CONFIG, gather, write_fake_results


def test_summary_states_the_significant_differences(report):
    """The fake accuracies put the CNN (0.40) far below the others (0.62 to
    0.72) on 200 clips: McNemar finds those gaps, not the small ones."""
    markdown = report[0].read_text()
    summary = markdown.split("## Summary", 1)[1].split("## Data", 1)[0]
    sentence = next(line for line in summary.splitlines() if "McNemar" in line)
    assert "Significant at 5 %" in sentence and "Holm-adjusted over the 10 pairs" in sentence
    for model in ("rf_100", "rf_50", "lstm"):
        assert f"{model} > cnn (" in sentence
    assert "rf_100 > rf_50" not in sentence and "overlap" not in markdown


def test_warning_comes_from_the_run_facts():
    run = {"model": "cnn", "family": "cnn", "validation": "test", "time_major": None}
    warnings = reference_faithful_warnings([run])
    assert len(warnings) == 1 and "validated" in warnings[0] and "(cnn)" in warnings[0]
    assert reference_faithful_warnings([{**run, "validation": "holdout"}]) == []
    lstm = {"model": "lstm", "family": "lstm", "validation": "holdout", "time_major": "reshape"}
    (reshaped,) = reference_faithful_warnings([lstm])
    assert "reshape, the reference's bug" in reshaped and "(lstm)" in reshaped


def test_title_names_the_data_and_the_commit(tmp_path):
    results = gather(write_fake_results(tmp_path, CONFIG))
    results.provenance["git_commit"] = "abc1234"
    (title,) = title_blocks(results)
    assert " · built-in synthetic data · commit abc1234" in title.subtitle
    results.provenance["git_commit"] = None
    results.data["source"] = "user"
    assert title_blocks(results)[0].subtitle.endswith(" · user data · no git commit")
