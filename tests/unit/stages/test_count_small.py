"""The count_parameters stage on the small networks' options (the preset's
CNN): its params.json and layer table name the new layers, count them, and
hold the network within the DCASE budget; no TensorFlow."""

from __future__ import annotations

import yaml
from ascflow.stages.count import parameter_report, write_layer_table
from reference_networks import DCASE_LIMITS
from support import REPO


def preset_cnn() -> dict:
    """The architecture keys of config/low-complexity.yaml's cnn section."""
    section = yaml.safe_load((REPO / "config" / "low-complexity.yaml").read_text())["cnn"]
    keys = ("conv_layers", "pool_size", "batch_norm", "global_pooling", "dense_units", "dropout")
    return {key: section[key] for key in keys}


def test_the_preset_s_counts_and_budget(tmp_path):
    report = parameter_report(
        40, 501, 15, preset_cnn(), {"units": 32, "kernel_initializer": "he_uniform"}, DCASE_LIMITS
    )
    cnn = report["networks"]["cnn"]
    assert cnn["total_closed_form"] == 19_135
    assert "DepthwiseConv2D 3x3 'same'" in cnn["description"] and "GlobalAvgPool" in cnn["description"]
    rows = {row["layer"]: row for row in cnn["layers"]}
    # The first depthwise convolution: 10 x 125 positions of 32 channels, 9 taps each, no biases.
    assert rows["depthwise_conv2d_1"]["output_shape"] == [10, 125, 32]
    assert (rows["depthwise_conv2d_1"]["weights"], rows["depthwise_conv2d_1"]["biases"]) == (9 * 32, 0)
    assert rows["depthwise_conv2d_1"]["multiply_adds"] == 10 * 125 * 32 * 9
    assert rows["batch_norm_1"]["params_closed_form"] == 4 * 16 and rows["batch_norm_1"]["multiply_adds"] == 0
    assert rows["global_avgpool2d"]["output_shape"] == [128]
    budget = report["complexity"]["networks"]["cnn"]
    assert budget["fits_memory_int8"] and budget["fits_macs"]
    assert budget["macs_per_second"] == cnn["forward_flops"] / 2 / 10
    write_layer_table(cnn["layers"], tmp_path / "cnn.tsv")
    lines = (tmp_path / "cnn.tsv").read_text().splitlines()
    assert lines[1].split("\t")[:3] == ["conv2d_1", "conv2d", "40x501x16"]
    assert any(line.startswith("global_avgpool2d\tglobal_avgpool2d\t128\t") for line in lines)
