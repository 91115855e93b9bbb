"""The report's new sections from fake results: log loss beside accuracy,
the complexity budget, and the new recordings (scored, or without labels)."""

from __future__ import annotations

import json

import pytest
from ascflow.errors import AscflowError
from ascflow.report.document import build_document
from ascflow.report.gather import gather_results
from ascflow.report.markdown import write_markdown
from test_report import CONFIG, write_fake_results

LIMITS = {"parameter_memory_kb": 128, "macs_per_second": 30_000_000}


def section(markdown: str, heading: str) -> str:
    return markdown.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]


def table_rows(text: str) -> dict[str, list[str]]:
    """The first table's rows by their first cell, as cells."""
    table = text[text.index("\n|") + 1 :].split("\n\n", 1)[0].splitlines()
    return {cells[0]: cells for cells in (line.strip("| ").split(" | ") for line in table[2:])}


def markdown_of(inputs: dict, tmp_path) -> str:
    results = gather_results(**inputs)
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
        gather_results(**inputs)
