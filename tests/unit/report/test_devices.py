"""The Recording devices section and the summary's device sentence: each
model's accuracy per device with its interval, unseen devices marked, the
known and unseen accuracy and their spread; nothing without devices."""

from __future__ import annotations

import json

import numpy as np
import pytest
from ascflow.evaluation import device_metrics
from ascflow.files import read_table
from ascflow.stages.evaluate import MetricsFiles, MetricsTables, SummarizeMetrics, summarize_metrics
from fake_results import CONFIG, N_TEST, render_markdown, section, write_fake_results

#: The fake test clips' devices: a and s1 heard in training, s4 not.
DEVICES = np.array(["a", "s1", "s4", "s4"] * (N_TEST // 4))


def with_devices(inputs: dict) -> dict[str, dict]:
    """The fake metrics scored per device, and summary.tsv written again."""
    labels = np.load(inputs["comparisons"].parent.parent / "labels_test.npy")
    scored = {}
    for path in inputs["metrics"]:
        run = json.loads(path.read_text())
        predicted = np.load(path.parent.parent / "predictions" / f"{run['model']}.npy").argmax(axis=1)
        run |= device_metrics(labels, predicted, DEVICES, np.array(["a", "s1", "s2"]))
        path.write_text(json.dumps(run))
        scored[run["model"]] = run
    summarize_metrics(
        SummarizeMetrics(
            MetricsFiles([str(path) for path in inputs["metrics"]]),
            MetricsTables(str(inputs["summary_table"]), str(inputs["aggregate_table"])),
        )
    )
    return scored


def test_the_devices_are_tabulated_with_unseen_ones_marked(tmp_path):
    inputs = write_fake_results(tmp_path, CONFIG)
    plain = render_markdown(inputs, tmp_path)
    assert "## Recording devices" not in plain and "Recording devices (" not in plain
    assert "known_device_accuracy" not in inputs["summary_table"].read_text()
    scored = with_devices(inputs)
    markdown = render_markdown(inputs, tmp_path)
    text = section(markdown, "Recording devices")
    assert "through 3 devices" in text and "1 device of them no training clip has: s4, marked unseen" in text
    lines = {line.split(" | ")[0].strip("| "): line for line in text.splitlines() if line.startswith("| ")}
    rf = scored["rf_100"]["per_device"]["s4"]
    assert lines["s4"].startswith(f"| s4 | {N_TEST // 2} | unseen |")
    assert f"{rf['accuracy']:.4f} ({rf['ci95_low']:.3f}–{rf['ci95_high']:.3f})" in lines["s4"]
    assert lines["a"].startswith(f"| a | {N_TEST // 4} | yes |")
    cnn = scored["cnn"]
    assert lines["cnn"].endswith(f"{cnn['device_accuracy_sd']:.4f} |")
    assert f"{cnn['unseen_device_accuracy']:.4f} ({cnn['unseen_device_ci95_low']:.3f}" in lines["cnn"]
    summary = section(markdown, "Summary")
    best = max(scored.values(), key=lambda run: run["accuracy"])
    assert f"Recording devices ({best['model']}): on the known devices' {N_TEST // 2} test clips" in summary
    assert f"spread by {best['device_accuracy_sd']:.4f}" in summary
    rows = {row["model"]: row for row in read_table(inputs["summary_table"])}
    assert rows["lstm"]["unseen_device_accuracy"] == pytest.approx(scored["lstm"]["unseen_device_accuracy"])
    assert {"known_device_accuracy", "device_accuracy_sd"} <= set(rows["lstm"])


def test_many_runs_split_the_per_device_table_and_no_devices_give_no_section():
    from ascflow.report.blocks import Table
    from ascflow.report.sections.devices import MODELS_PER_TABLE, device_blocks

    class Runs:  # the one field the section reads
        def __init__(self, runs):
            self.runs = runs

    true = np.arange(12) % 3
    devices = np.array(["a", "b", "s1"] * 4)
    runs = [
        {
            "model": f"m{index}",
            **device_metrics(true, (true + (np.arange(12) < index)) % 3, devices, devices[:6]),
        }
        for index in range(MODELS_PER_TABLE + 2)
    ]
    tables = [block for block in device_blocks(Runs(runs)) if isinstance(block, Table)]
    assert [len(table.header) - 3 for table in tables[:-1]] == [MODELS_PER_TABLE, 2]
    assert tables[-1].header[0] == "model" and len(tables[-1].rows) == MODELS_PER_TABLE + 2
    assert tables[0].rows[2][:3] == ("s1", "4", "yes") and tables[0].rows[0][3] == "1.0000 (0.510–1.000)"
    assert device_blocks(Runs([{"model": "rf_10", "accuracy": 0.5}])) == []
