"""The refit's epochs chosen on the folds (cv.choose_epochs_on) through
Snakemake's command line, on conftest.py's cross_validated_run; the choice
rule itself is tests/unit/models/test_sweep_epochs.py."""

from __future__ import annotations

import json

from support import read_metrics


def test_a_small_held_out_part_chooses_the_refits_epochs_on_the_folds(cross_validated_run):
    tmp_path = cross_validated_run
    metrics = read_metrics(tmp_path)
    for network in ("cnn", "lstm"):
        written = json.loads((tmp_path / f"results/cv/{network}/epochs.json").read_text())
        choice = written["epoch_choice"]
        assert choice["basis"] == "folds" and choice["holdout_clips"] < 100 and choice["n_folds"] == 2
        folds = [json.loads((tmp_path / f"results/cv/{network}/fold{k}.json").read_text()) for k in (1, 2)]
        # Every fold trained all epochs, validated on its held-out fold.
        assert all(len(fold["curve"]) == 2 for fold in folds)
        first, second = (fold["curve"] for fold in folds)
        means = [
            (a["val_accuracy"] + b["val_accuracy"], -(a["val_loss"] + b["val_loss"]), -a["epoch"])
            for a, b in zip(first, second, strict=True)
        ]
        assert choice["epoch"] == -max(means)[2]  # the best mean accuracy, then loss, then the earlier
        refit = json.loads((tmp_path / f"results/refit/{network}.train.json").read_text())
        assert refit["epochs_run"] == choice["epoch"] and metrics[network]["refit"]
    assert not list((tmp_path / "results/cv").glob("rf_*/epochs.json"))  # forests train no epochs
    markdown = (tmp_path / "reports/report.md").read_text()
    section = markdown.split("## How the refit's epochs were chosen", 1)[1].split("\n## ", 1)[0]
    assert "| cnn | mean over 2 folds |" in section and "| lstm | mean over 2 folds |" in section
    assert "The test set played no part" in section
