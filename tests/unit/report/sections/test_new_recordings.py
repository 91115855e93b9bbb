"""The New recordings section: scored where labelled, counted where not."""

from __future__ import annotations

import json

from ascflow.report.sections.new_recordings import new_recordings_source, new_recordings_verdict
from fake_results import CONFIG, fake_predictions, render_markdown, section, table_rows, write_fake_results


def test_new_recordings_are_scored_beside_the_test_set(tmp_path):
    inputs = write_fake_results(tmp_path, CONFIG)
    inputs["predictions"] = fake_predictions(inputs, tmp_path, labelled=True)
    text = section(render_markdown(inputs, tmp_path), "New recordings")
    assert (
        "Every model classified the 10 recordings in /data/new: its meta.csv gives their scene labels" in text
    )
    assert "10 mixed down to mono, 4 resampled, 1 padded with silence, 2 cut" in text
    rows = table_rows(text)
    for path in inputs["metrics"]:
        run = json.loads(path.read_text())
        assert rows[run["model"]][1:4] == [
            f"{run['accuracy']:.4f}",
            f"{run['accuracy'] - 0.05:.4f}",
            f"{run['ci95_low'] - 0.1:.3f}–{run['ci95_high']:.3f}",
        ]
        assert rows[run["model"]][-2:] == [f"{run['log_loss']:.3f}", "1.250"]
    assert "The best model on the test set, rf_100, labels the new recordings with accuracy 0.6700" in text
    assert "the two 95 % intervals overlap" in text
    assert "| model | a (6) | b (4) |" in text and "Accuracy per source_label" in text


def test_new_recordings_without_labels_are_counted(tmp_path):
    inputs = write_fake_results(tmp_path, CONFIG)
    inputs["predictions"] = fake_predictions(inputs, tmp_path, labelled=False)
    text = section(render_markdown(inputs, tmp_path), "New recordings")
    assert "without scene labels" in text and "How many files each model put in each class" in text
    assert table_rows(text)["cnn"] == ["cnn", "4", "3", "2", "1", "0"]
    assert "accuracy" not in text.lower().split("how many", 1)[1]


def test_clips_are_counted_as_clips_without_an_extraction():
    facts = {"n_files": 1, "inputs": "clips", "labelled": False, "source": "/data/new.npy"}
    assert new_recordings_source(facts) == (
        "Every model classified the 1 clip in /data/new.npy: without scene labels (no meta.csv, or one "
        "without a scene_label column), so the predictions are counted, not scored. "
        "Each model's table is results/predict/<model>.tsv."
    )


def test_verdict_says_whether_the_intervals_part():
    best = {"model": "rf_100", "accuracy": 0.72, "ci95_low": 0.65, "ci95_high": 0.78}
    runs = [best, {"model": "cnn", "accuracy": 0.4, "ci95_low": 0.33, "ci95_high": 0.47}]
    better = {"model": "rf_100", "labelled": True, "accuracy": 0.95, "ci95_low": 0.9, "ci95_high": 0.98}
    assert new_recordings_verdict([better], runs).endswith(
        "the two 95 % intervals do not overlap: it labels them better than the test set."
    )
    worse = {**better, "accuracy": 0.3, "ci95_low": 0.2, "ci95_high": 0.4}
    assert new_recordings_verdict([worse], runs).endswith("it labels them worse than the test set.")
    # Without predictions of the best model there is nothing to say.
    assert new_recordings_verdict([{**better, "model": "cnn"}], runs) == ""
