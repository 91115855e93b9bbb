"""Training of the networks: the table, refit and the validation split."""

from __future__ import annotations

import re

from ascflow.report.sections.training import (
    MIN_VALIDATION_CLIPS,
    refit_sentence,
    split_sentence,
    validation_size_sentence,
    validation_text,
)
from fake_results import section


def test_training_table_names_the_device_of_each_network(report):
    markdown = report[0].read_text()
    table = markdown.split("## Training of the networks", 1)[1].split("\n\n", 3)[2]
    rows = {line.split(" | ")[0].strip("| "): line for line in table.splitlines()[2:]}
    assert rows["cnn"].rstrip(" |").endswith("GPU (NVIDIA H200)") and rows["lstm"].rstrip(" |").endswith(
        "CPU"
    )


def test_refit_names_each_refit_network_with_its_epochs():
    runs = [
        {"model": "cnn", "refit": True, "epochs_run": 1, "n_train": 4_500},
        {"model": "lstm", "refit": False},
    ]
    sentence = refit_sentence(runs)
    assert "before the test set was read: cnn (1 epoch on 4,500 clips)." in sentence
    assert refit_sentence(runs[1:]) == ""


def test_split_says_what_the_split_keeps_apart():
    grouped = [{"family": "cnn", "split": "grouped"}, {"family": "rf", "split": None}]
    sentence = split_sentence(grouped, {"groups": {"train": 60}})
    assert "(60 recordings in the training set)" in sentence
    # How far it previews the test accuracy depends on its size: not claimed here.
    assert sentence.endswith("no recording on both sides inflates their validation accuracy.")
    assert "preview" not in sentence
    clip_level = [{"family": "lstm", "split": "clip-level"}]
    assert split_sentence(clip_level, {"groups": {"train": 60}}).endswith(
        "clips of one recording sit on both sides of it, so the validation accuracy is optimistic."
    )
    assert "names no recordings (groups_train.npy)" in split_sentence(clip_level, {})
    assert split_sentence([{"family": "rf", "split": None}], {}) == ""


NETWORKS = [{"model": "cnn", "validation": "holdout"}, {"model": "lstm", "validation": "holdout"}]


def test_a_small_validation_set_is_said_to_tell_models_apart_no_better_than_its_interval():
    """30 validation clips: an interval of about ±0.17, too wide to tell models apart."""
    small = {
        "cnn": {"n": 30, "ci95_low": 0.2, "ci95_high": 0.54},
        "lstm": {"n": 30, "ci95_low": 0.5, "ci95_high": 0.8},
    }
    sentence = validation_size_sentence(NETWORKS, small)
    assert sentence.startswith("Each network's validation accuracy counts 30 clips; its 95 % Wilson interval")
    assert "as wide as ±0.170." in sentence
    assert (
        f"With fewer than {MIN_VALIDATION_CLIPS} clips a validation set cannot tell models apart" in sentence
    )
    assert "no preview of the test accuracy" in sentence
    large = {model: {"n": 900, "ci95_low": 0.6, "ci95_high": 0.66} for model in ("cnn", "lstm")}
    sentence = validation_size_sentence(NETWORKS, large)
    assert "counts 900 clips" in sentence and "cannot tell" not in sentence
    assert sentence.endswith("Differences between models smaller than that are noise.")
    # Validated on the test set, or of unknown size: nothing said here (the warnings say it).
    assert validation_size_sentence([{"model": "cnn", "validation": "test"}], small) == ""
    assert validation_size_sentence(NETWORKS, {}) == ""


def test_validation_accuracy_comes_with_its_interval(report):
    assert validation_text(0.8, {"n": 30, "ci95_low": 0.627, "ci95_high": 0.905}) == "0.8000 (0.627–0.905)"
    assert validation_text(0.8, None) == "0.8000" and validation_text(None, None) == "–"
    training = section(report[0].read_text(), "Training of the networks")
    assert "honest preview" not in training
    assert re.search(
        r"^\| cnn \| holdout \| 10 of 10 \| 9 \| 0\.4500 \(0\.\d{3}–0\.\d{3}\) \|", training, re.M
    )
    assert "a validation set cannot tell models apart" in training  # the fake's 60 held-out clips
