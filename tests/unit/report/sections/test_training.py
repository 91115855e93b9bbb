"""Training of the networks: the table, refit and the validation split."""

from __future__ import annotations

from ascflow.report.sections.training import refit_sentence, split_sentence


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


def test_split_says_whether_validation_is_an_honest_preview():
    grouped = [{"family": "cnn", "split": "grouped"}, {"family": "rf", "split": None}]
    assert "(60 recordings in the training set)" in split_sentence(grouped, {"groups": {"train": 60}})
    clip_level = [{"family": "lstm", "split": "clip-level"}]
    assert split_sentence(clip_level, {"groups": {"train": 60}}).endswith(
        "clips of one recording sit on both sides of it, so the validation accuracy is optimistic."
    )
    assert "names no recordings (groups_train.npy)" in split_sentence(clip_level, {})
    assert split_sentence([{"family": "rf", "split": None}], {}) == ""
