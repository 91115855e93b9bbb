"""The test-set accuracy sections: the table per model, over seeds, per class."""

from __future__ import annotations

import json
from pathlib import Path

from ascflow.report import reference
from ascflow.report.blocks import Figure
from ascflow.report.document import build_document
from ascflow.report.outputs import figure_outputs
from ascflow.report.sections.accuracy import accuracy_resolution, per_class_blocks
from fake_results import (
    CONFIG,
    FAKE_ACCURACY,
    gather,
    render_markdown,
    section,
    table_rows,
    with_changes,
    write_fake_results,
)


def test_markdown_has_a_row_per_model_with_the_reference_accuracy(report):
    markdown_path, _, _ = report
    rows = table_rows(section(markdown_path.read_text(), "Accuracy on the test set"))
    assert list(rows) == ["rf_10", "rf_50", "rf_100", "cnn", "lstm"]
    for model, cells in rows.items():
        assert cells[1] == f"{FAKE_ACCURACY[model]:.4f}"
        assert cells[-1] == f"{reference.ACCURACY[model]:.4f}"
    assert "reference accuracy (on the reference's data)" in markdown_path.read_text()


def test_log_loss_stands_beside_accuracy_for_every_model(tmp_path):
    inputs = write_fake_results(tmp_path, CONFIG)
    markdown = render_markdown(inputs, tmp_path)
    table = section(markdown, "Accuracy on the test set")
    header = next(line for line in table.splitlines() if line.startswith("| model"))
    assert "| macro-F1 | log loss |" in header
    for path in inputs["metrics"]:
        run = json.loads(path.read_text())
        assert table_rows(table)[run["model"]][4] == f"{run['log_loss']:.3f}"
    summary = inputs["summary_table"].read_text().splitlines()
    assert "log_loss" in summary[0].split("\t")


def test_seeded_runs_get_a_mean_and_sd_table(tmp_path):
    config = with_changes(CONFIG, seeds=[0, 1])
    inputs = write_fake_results(tmp_path, config)
    results = gather(inputs)
    figures = {
        key: Path("figures") / f"{key}.png" for key in figure_outputs([run["model"] for run in results.runs])
    }
    blocks = build_document(results, figures)
    tables = [block for block in blocks if type(block).__name__ == "Table"]
    aggregate = next(table for table in tables if "runs" in table.header)
    assert [row[0] for row in aggregate.rows] == list(FAKE_ACCURACY)
    assert all(" ± " in row[2] for row in aggregate.rows)


def test_resolution_is_one_test_clip_and_the_widest_interval():
    runs = [
        {"n_test": 200, "ci95_low": 0.60, "ci95_high": 0.72},
        {"n_test": 200, "ci95_low": 0.30, "ci95_high": 0.50},
    ]
    assert accuracy_resolution(runs) == (
        "With 200 test clips one clip is 0.0050 of accuracy, "
        "and the widest 95 % interval spans 0.200 (about ±0.100)."
    )


def test_per_class_results_show_the_confusion_of_the_best_and_the_worst_model():
    figures = {"per_class_recall": Path("recall.png")} | {
        f"confusion_{model}": Path(f"{model}.png") for model in ("rf_10", "cnn")
    }
    runs = [{"model": "rf_10", "accuracy": 0.62}, {"model": "cnn", "accuracy": 0.40}]
    confusions = [block for block in per_class_blocks(runs, figures)[2:] if isinstance(block, Figure)]
    assert [figure.path for figure in confusions] == [Path("rf_10.png"), Path("cnn.png")]
    assert (
        "the best model, rf_10" in confusions[0].caption and "the worst model, cnn" in confusions[1].caption
    )
    one = [block for block in per_class_blocks(runs[:1], figures) if isinstance(block, Figure)]
    assert len(one) == 2  # the recall and one confusion matrix: the best is the worst
