"""Stage choose_epochs: the refit's epochs from the held-out part or the
folds' curves, written in the form the refit reads; the report's section."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
from ascflow.files import read_json, write_json
from ascflow.report.blocks import Table
from ascflow.report.sections.epoch_choice import epoch_choice_blocks
from ascflow.stages.sweep import ChooseEpochs, EpochChoice, EpochInputs, EpochSettings, choose_epochs_job
from ascflow.stages.train import chosen_run, refit_epochs

VALIDATION = {"mode": "holdout", "fraction": 0.25, "grouped": True}


def fold(model, number, accuracies):
    return {
        "model": model,
        "fold": number,
        "accuracy": accuracies[-1],
        "curve": [
            {"epoch": epoch, "val_accuracy": value, "val_loss": 1 - value}
            for epoch, value in enumerate(accuracies, 1)
        ],
    }


def choose(tmp_path, chosen: dict, mode: str, n_clips: int = 40):
    write_json(tmp_path / "chosen.json", chosen)
    paths = []
    for number, accuracies in enumerate(([0.2, 0.5, 0.7, 0.6], [0.3, 0.6, 0.8, 0.7]), 1):
        paths.append(tmp_path / f"fold{number}.json")
        write_json(paths[-1], fold("cnn", number, accuracies))
    write_json(tmp_path / "other.json", fold("cnn_other", 1, [0.9, 0.1, 0.1, 0.1]))  # another run's fold
    np.save(tmp_path / "labels.npy", np.repeat([0, 1], n_clips // 2))
    np.save(tmp_path / "groups.npy", np.arange(n_clips))
    job = ChooseEpochs(
        EpochInputs(
            str(tmp_path / "chosen.json"),
            [*map(str, paths), str(tmp_path / "other.json")],
            str(tmp_path / "labels.npy"),
            str(tmp_path / "groups.npy"),
        ),
        EpochChoice(str(tmp_path / "epochs.json")),
        EpochSettings(
            model="cnn", seed=1, validation=VALIDATION, choose_epochs_on=mode, min_holdout_clips=100
        ),
    )
    choose_epochs_job(job)
    return read_json(tmp_path / "epochs.json")


INFO = {"best_epoch": 2, "epochs_run": 3, "settings": {"epochs": 4}, "validation_accuracy": 1.0}


def test_a_small_held_out_part_chooses_on_the_folds_mean_curve(tmp_path):
    written = choose(tmp_path, INFO, "auto")
    run, info = chosen_run(written, "cnn")
    assert run == "cnn" and refit_epochs(info) == 3  # the folds' mean peaks at epoch 3
    choice = written["epoch_choice"]
    assert choice["basis"] == "folds" and choice["holdout_clips"] == 10 and choice["holdout_epoch"] == 2
    assert choice["fold_best_epochs"] == [3, 3] and choice["mean_accuracy"] == 0.75
    assert info["settings"] == INFO["settings"]  # what the refit trains, untouched


def test_the_held_out_part_chooses_when_asked_and_a_sweeps_choice_keeps_its_form(tmp_path):
    assert choose(tmp_path, INFO, "holdout")["epoch_choice"]["epoch"] == 2
    selection = {"selected": "cnn", "selected_info": INFO, "variants": []}
    written = choose(tmp_path, selection, "folds")
    run, info = chosen_run(written, "cnn")
    assert run == "cnn" and info["best_epoch"] == 3 and written["variants"] == []


def test_the_report_says_how_the_epochs_were_chosen(tmp_path):
    choice = choose(tmp_path, INFO, "auto")["epoch_choice"]
    blocks = epoch_choice_blocks(SimpleNamespace(epoch_choices=[choice]))
    assert "fewer than 100 clips" in blocks[1].text and "The test set played no part" in blocks[1].text
    (table,) = [block for block in blocks if isinstance(block, Table)]
    assert table.rows == (("cnn", "mean over 2 folds", "3", "2", "0.7500 ± 0.0707", "3, 3 (range 0)"),)
    assert epoch_choice_blocks(SimpleNamespace(epoch_choices=[])) == []
