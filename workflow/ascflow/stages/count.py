"""Stage count: every network's parameters, closed form checked against Keras.

Writes ``results/params/params.json`` (facts: per-layer counts both ways,
shapes, multiply-adds, the image CNN's first-convolution multiplications)
and one TSV table per network. The sentences about these figures are the
report's (:mod:`ascflow.report.findings`).
"""

from __future__ import annotations

import logging

from ascflow.files import read_json, write_json, write_table
from ascflow.models.counting import counted_specs, forward_flops, image_cnn_conv1_multiplications
from ascflow.models.keras_check import TABLE_COLUMNS, compare_with_keras
from ascflow.models.settings import architecture

log = logging.getLogger("ascflow")


def parameter_report(n_features: int, n_frames: int, n_classes: int, cnn: dict, lstm: dict) -> dict:
    """Everything params.json holds. ``cnn`` and ``lstm``: the architecture
    keys of those config sections."""
    specs = counted_specs(
        n_features, n_frames, n_classes, architecture("cnn", cnn), architecture("lstm", lstm)
    )
    networks = {}
    for name, spec in specs.items():
        table = compare_with_keras(spec)
        networks[name] = {
            "description": spec.description,
            "input_shape": list(spec.input_shape),
            "layers": table,
            "total_closed_form": sum(row["params_closed_form"] for row in table),
            "total_keras": sum(row["params_keras"] for row in table),
            "forward_flops": forward_flops(spec),
        }
    return {
        "data": {"n_features": n_features, "n_frames": n_frames, "n_classes": n_classes},
        "networks": networks,
        "image_cnn_conv1_multiplications": image_cnn_conv1_multiplications(),
    }


def write_layer_table(table: list[dict], path: str) -> None:
    """One network's table as TSV, shapes written like ``36x497x32``."""
    rows = [{**row, "output_shape": "x".join(str(size) for size in row["output_shape"])} for row in table]
    write_table(path, rows, TABLE_COLUMNS)


def count_parameters(summary_path: str, cnn: dict, lstm: dict, counts_path: str, table_paths: dict) -> dict:
    """``table_paths``: the TSV path of each counted network, by name."""
    summary = read_json(summary_path)
    report = parameter_report(summary["n_features"], summary["n_frames"], summary["n_classes"], cnn, lstm)
    for network, counts in report["networks"].items():
        write_layer_table(counts["layers"], table_paths[network])
        log.info("%s: %d parameters, closed form == Keras", network, counts["total_keras"])
    write_json(counts_path, report)
    return report
