"""ascflow.stages.count: the parameter report the count_parameters rule
writes (params.json and a layer table per network), counted without
TensorFlow, with the complexity of the networks a run trains; and the
report's sentences on the study's image CNN figures it holds. The counts
themselves are tests/unit/models/test_counting.py and test_keras_check.py."""

from __future__ import annotations

import json

from ascflow.models import counting
from ascflow.report.sections.parameter_counts import image_cnn_notes
from ascflow.stages.count import parameter_report, write_layer_table
from reference_networks import DCASE_LIMITS, REFERENCE_CNN, REFERENCE_CONVS, TINY_CONVS


def reference_report() -> dict:
    """The parameter report of the reference CNN and LSTM on 40 x 501 clips of 15 classes."""
    return parameter_report(
        40,
        501,
        15,
        cnn={"conv_layers": REFERENCE_CONVS, "pool_size": 2},
        lstm={"units": 32, "kernel_initializer": "he_uniform"},
    )


def test_parameter_report_and_tables(tmp_path):
    report = reference_report()
    assert list(report["networks"]) == list(counting.COUNTED_NETWORKS)
    totals = {name: network["total_closed_form"] for name, network in report["networks"].items()}
    assert totals == {
        "reference_mlp": 4_926_410,
        "image_cnn_same": 355_754,
        "image_cnn_valid": 297_194,
        "cnn": 562_159,
        "lstm": 249_839,
    }
    figures = report["image_cnn_conv1_multiplications"]
    assert (figures["valid"]["multiplications"], figures["same"]["multiplications"]) == (
        36_902_400,
        39_321_600,
    )
    json.dumps(report)  # the rule writes it as JSON
    # Counted without TensorFlow: Keras's counts come from training and tests.
    assert all(
        "params_keras" not in layer for network in report["networks"].values() for layer in network["layers"]
    )

    path = tmp_path / "cnn.tsv"
    write_layer_table(report["networks"]["cnn"]["layers"], path)
    lines = path.read_text().splitlines()
    assert lines[0].split("\t")[:3] == ["layer", "type", "output_shape"]
    assert lines[1].split("\t")[:3] == ["conv2d_1", "conv2d", "36x497x32"]
    assert len(lines) == 1 + len(REFERENCE_CNN.layers)


def test_parameter_report_holds_the_trained_networks_complexity():
    cnn, lstm = {"conv_layers": TINY_CONVS, "pool_size": 2}, {"units": 4, "kernel_initializer": "he_uniform"}
    report = parameter_report(12, 51, 3, cnn, lstm, DCASE_LIMITS, audio_clip_s=1.0)
    budget = report["complexity"]
    assert budget["limits"] == DCASE_LIMITS and (budget["clip_seconds"], budget["clip_seconds_from"]) == (
        1.0,
        "audio",
    )
    assert set(budget["networks"]) == {"cnn", "lstm"}
    for family, figures in budget["networks"].items():
        network = report["networks"][family]
        assert figures["parameters"] == network["total_closed_form"]
        assert figures["macs_per_clip"] == sum(layer["multiply_adds"] for layer in network["layers"])
    assert "complexity" not in parameter_report(12, 51, 3, cnn, lstm)


def test_the_reports_notes_on_the_image_cnn_figures():
    report = reference_report()
    notes = image_cnn_notes(report)  # the report's sentences on these facts
    assert "32,768" in notes[0] and "124 x 124" in notes[0]
    assert "297,194" in notes[1]
