"""The report's new sections from fake results: log loss beside accuracy,
the complexity budget, and the new recordings (scored, or without labels)."""

from __future__ import annotations

import json

import pytest
from ascflow.errors import AscflowError
from ascflow.report.document import build_document
from ascflow.report.markdown import write_markdown
from fake_results import CONFIG, gather, write_fake_results

LIMITS = {"parameter_memory_kb": 128, "macs_per_second": 30_000_000}


def section(markdown: str, heading: str) -> str:
    return markdown.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]


def table_rows(text: str) -> dict[str, list[str]]:
    """The first table's rows by their first cell, as cells."""
    table = text[text.index("\n|") + 1 :].split("\n\n", 1)[0].splitlines()
    return {cells[0]: cells for cells in (line.strip("| ").split(" | ") for line in table[2:])}


def markdown_of(inputs: dict, tmp_path) -> str:
    results = gather(inputs)
    figures = {key: tmp_path / f"{key}.png" for key in ("accuracy", "per_class_recall", "significance")}
    figures |= {f"training_{n}": tmp_path / "t.png" for n in ("cnn", "lstm")}
    figures |= {f"confusion_{run['model']}": tmp_path / "c.png" for run in results.runs}
    path = tmp_path / "report.md"
    write_markdown(build_document(results, figures), path)
    return path.read_text()


def with_budget(inputs: dict, cnn_parameters: int = 562_159) -> None:
    """params.json with the complexity section count_parameters writes."""
    params = json.loads(inputs["parameters"].read_text())
    params["complexity"] = {
        "limits": LIMITS,
        "clip_seconds": 10.0,
        "clip_seconds_from": "frames",
        "networks": {
            "cnn": {
                "parameters": cnn_parameters,
                "memory_kb_float32": cnn_parameters * 4 / 1024,
                "memory_kb_int8": cnn_parameters / 1024,
                "macs_per_clip": 128_000_000,
                "macs_per_second": 12_800_000.0,
                "fits_memory_float32": False,
                "fits_memory_int8": False,
                "fits_macs": True,
            },
            "lstm": {
                "parameters": 249_839,
                "memory_kb_float32": 249_839 * 4 / 1024,
                "memory_kb_int8": 249_839 / 1024,
                "macs_per_clip": 4_856_000,
                "macs_per_second": 485_600.0,
                "fits_memory_float32": False,
                "fits_memory_int8": False,
                "fits_macs": True,
            },
        },
    }
    inputs["parameters"].write_text(json.dumps(params))


def test_log_loss_stands_beside_accuracy_for_every_model(tmp_path):
    inputs = write_fake_results(tmp_path, CONFIG)
    markdown = markdown_of(inputs, tmp_path)
    table = section(markdown, "Accuracy on the test set")
    header = next(line for line in table.splitlines() if line.startswith("| model"))
    assert "| macro-F1 | log loss |" in header
    for path in inputs["metrics"]:
        run = json.loads(path.read_text())
        assert table_rows(table)[run["model"]][4] == f"{run['log_loss']:.3f}"
    summary = inputs["summary_table"].read_text().splitlines()
    assert "log_loss" in summary[0].split("\t")


def test_complexity_table_has_a_row_per_model_with_its_verdict(tmp_path):
    inputs = write_fake_results(tmp_path, CONFIG)
    with_budget(inputs)
    markdown = markdown_of(inputs, tmp_path)
    text = section(markdown, "Complexity budget")
    rows = table_rows(text)
    assert list(rows) == ["rf_10", "rf_50", "rf_100", "cnn", "lstm"]
    assert rows["cnn"][1:] == ["562,159", "2,195.9", "549.0", "128,000,000", "12,800,000", "no: memory"]
    # Forests: tree nodes, one value each; no multiplications.
    assert rows["rf_10"][1:] == ["10,000", "39.1", "9.8", "0", "0", "yes"]
    assert rows["rf_100"][1:4] == ["100,000", "390.6", "97.7"] and rows["rf_100"][-1] == "at int8 only"
    assert "128 KB of parameter memory and 30,000,000 multiply-accumulates" in text
    assert "DCASE 2022-2024 Task 1" in text and "frames at a 20 ms hop" in text


def test_network_counts_that_are_not_the_trained_models_are_refused(tmp_path):
    inputs = write_fake_results(tmp_path, CONFIG)
    with_budget(inputs, cnn_parameters=562_160)
    with pytest.raises(AscflowError, match=r"^cnn: Keras counted 562159 parameters in the trained model"):
        gather(inputs)


def fake_predictions(inputs: dict, tmp_path, labelled: bool) -> list:
    """Prediction facts as predict_model writes them, for each fake run."""
    paths = []
    for metrics_path in inputs["metrics"]:
        run = json.loads(metrics_path.read_text())
        counts = [4, 3, 2, 1, 0]
        facts = {
            "model": run["model"],
            "family": run["family"],
            "source": "/data/new",
            "n_files": 10,
            "inputs": "recordings",
            "extraction": {
                "mixed_down": 10,
                "resampled": 4,
                "padded": 1,
                "cut": 2,
                "sample_rates": {"16000": 4, "44100": 6},
                "channels": {"2": 10},
            },
            "class_names": run["class_names"],
            "predicted_counts": counts,
            "meta": "meta.csv" if labelled else None,
            "labelled": labelled,
            "device_column": "source_label" if labelled else None,
            "data_fingerprint": run["data_fingerprint"],
            "settings_digest": run["settings_digest"],
        }
        if labelled:
            facts.update(
                accuracy=run["accuracy"] - 0.05,
                ci95_low=run["ci95_low"] - 0.1,
                ci95_high=run["ci95_high"],
                macro_f1=0.5,
                log_loss=1.25,
                per_class_recall=[0.1, 0.2, 0.3, 0.4, 0.5],
                per_device={"a": {"n": 6, "accuracy": 0.5}, "b": {"n": 4, "accuracy": 0.75}},
            )
        path = tmp_path / f"{run['model']}.prediction.json"
        path.write_text(json.dumps(facts))
        paths.append(path)
    return paths


def test_new_recordings_are_scored_beside_the_test_set(tmp_path):
    inputs = write_fake_results(tmp_path, CONFIG)
    inputs["predictions"] = fake_predictions(inputs, tmp_path, labelled=True)
    text = section(markdown_of(inputs, tmp_path), "New recordings")
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
    text = section(markdown_of(inputs, tmp_path), "New recordings")
    assert "without scene labels" in text and "How many files each model put in each class" in text
    assert table_rows(text)["cnn"] == ["cnn", "4", "3", "2", "1", "0"]
    assert "accuracy" not in text.lower().split("how many", 1)[1]


def test_predictions_of_another_model_are_refused(tmp_path):
    inputs = write_fake_results(tmp_path, CONFIG)
    inputs["predictions"] = fake_predictions(inputs, tmp_path, labelled=False)
    stale = inputs["predictions"][3]
    stale.write_text(json.dumps({**json.loads(stale.read_text()), "settings_digest": "other"}))
    with pytest.raises(AscflowError, match=rf"^{stale}: was predicted by another model than this run's cnn"):
        gather(inputs)


def test_cross_validation_table_has_the_fold_log_loss(tmp_path):
    inputs = write_fake_results(tmp_path, CONFIG)
    folds_path = tmp_path / "folds.tsv"
    rows = ["model\tfold\tsplit\taccuracy\tlog_loss"]
    for path in inputs["metrics"]:
        model = json.loads(path.read_text())["model"]
        rows += [f"{model}\t1\tgrouped\t0.5\t1.0", f"{model}\t2\tgrouped\t0.7\t2.0"]
    folds_path.write_text("\n".join(rows) + "\n")
    inputs["folds"] = [folds_path]
    text = section(markdown_of(inputs, tmp_path), "Cross-validation on the training set")
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
