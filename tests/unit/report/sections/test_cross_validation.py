"""Cross-validation on the training set: the folds beside the test set."""

from __future__ import annotations

import json

from ascflow.report.sections.cross_validation import fold_summary
from fake_results import CONFIG, render_markdown, section, table_rows, with_fake_folds, write_fake_results


def test_cross_validation_table_has_the_fold_log_loss(tmp_path):
    inputs = write_fake_results(tmp_path, CONFIG)
    with_fake_folds(inputs, tmp_path)
    text = section(render_markdown(inputs, tmp_path), "Cross-validation on the training set")
    header = next(line for line in text.splitlines() if line.startswith("| model"))
    assert "| mean ± sd | log loss, mean ± sd | test log loss | test accuracy |" in header
    cnn = json.loads(inputs["metrics"][3].read_text())
    assert table_rows(text)["cnn"][1:] == [
        "0.5000",
        "0.7000",
        "0.6000 ± 0.1414",
        "1.5000 ± 0.7071",
        f"{cnn['log_loss']:.3f}",
        f"{cnn['accuracy']:.4f}",
    ]


def test_folds_are_those_of_the_variant_trained_in_fold_order():
    """A swept model's folds are its chosen variant's; folds without a log
    loss leave its mean out rather than count them as zero."""
    folds = [
        {"model": "cnn_lr0.01", "fold": 2, "split": "clip-level", "accuracy": 0.7, "log_loss": None},
        {"model": "cnn_lr0.01", "fold": 1, "split": "clip-level", "accuracy": 0.5, "log_loss": None},
        {"model": "cnn_lr0.1", "fold": 1, "split": "clip-level", "accuracy": 0.1, "log_loss": 3.0},
    ]
    runs = [
        {"model": "cnn", "trained_as": "cnn_lr0.01", "accuracy": 0.6, "log_loss": 1.1},
        {"model": "rf_10", "accuracy": 0.62},
    ]
    (row,) = fold_summary(folds, runs)
    assert row["model"] == "cnn" and row["folds"] == [0.5, 0.7] and row["split"] == "clip-level"
    assert (row["log_loss_mean"], row["log_loss_sd"]) == (None, None)
    assert (row["test"], row["test_log_loss"]) == (0.6, 1.1)
