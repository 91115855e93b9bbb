"""The report's template: every section, in its order, where the results have it."""

from __future__ import annotations

from pathlib import Path

from ascflow.report.blocks import Heading, Title
from ascflow.report.document import build_document
from fake_results import (
    CONFIG,
    fake_history,
    fake_predictions,
    fake_sweep,
    gather,
    with_changes,
    with_complexity_budget,
    with_fake_folds,
    write_fake_results,
)

EVERY_SECTION = [
    "Warnings",
    "Summary",
    "Data",
    "Accuracy on the test set",
    "Comparing the models",
    "Cross-validation on the training set",
    "Sweeps: variants chosen on validation data",
    "New recordings",
    "Per-class results",
    "Training of the networks",
    "Compared with earlier runs",
    "Parameter counts",
    "Complexity budget",
    "Deviations from the reference",
    "Provenance",
]
#: The sections a run has only with a flawed choice, folds, sweeps, predict_dir, a ledger or limits.
OPTIONAL = {
    "Warnings",
    "Cross-validation on the training set",
    "Sweeps: variants chosen on validation data",
    "New recordings",
    "Compared with earlier runs",
    "Complexity budget",
}


class Figures(dict):
    """Every figure's file, named by its key: the template only names them."""

    def __missing__(self, key):
        return Path("figures") / f"{key}.png"


def section_headings(blocks: list) -> list[str]:
    return [block.text for block in blocks if isinstance(block, Heading) and block.level == 1]


def test_every_section_comes_in_the_order_of_the_template(tmp_path):
    inputs = write_fake_results(tmp_path, with_changes(CONFIG, validation={"mode": "test"}))
    with_complexity_budget(inputs)
    with_fake_folds(inputs, tmp_path)
    inputs["predictions"] = fake_predictions(inputs, tmp_path, labelled=True)
    results = gather(inputs)
    results.sweeps = [fake_sweep()]
    results.history = fake_history(results.runs, {"cnn": 0.3})
    blocks = build_document(results, Figures())
    assert isinstance(blocks[0], Title) and not any(isinstance(block, Title) for block in blocks[1:])
    assert section_headings(blocks) == EVERY_SECTION


def test_sections_without_their_results_are_left_out(tmp_path):
    results = gather(write_fake_results(tmp_path, CONFIG))
    assert section_headings(build_document(results, Figures())) == [
        heading for heading in EVERY_SECTION if heading not in OPTIONAL
    ]


def test_on_user_data_the_course_study_closes_the_report(tmp_path):
    """Arrays of the user's data_dir: the parameter section keeps the
    networks this run trained (the fake's image networks are the study's,
    none trained here) and the study's figures follow every section."""
    results = gather(write_fake_results(tmp_path, CONFIG))
    results.data["source"] = "user"
    headings = section_headings(build_document(results, Figures()))
    assert headings == [
        *(heading for heading in EVERY_SECTION if heading not in OPTIONAL and heading != "Parameter counts"),
        "Appendix: the course study",
    ]
