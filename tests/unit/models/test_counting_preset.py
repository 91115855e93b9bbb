"""config/low-complexity.yaml: its CNN fits the DCASE budget on 10-second
clips of 40 x 501 log-mel frames, by the closed form and by Keras's count
of the model built from the same settings (no training)."""

from __future__ import annotations

from ascflow.configuration import load_config
from ascflow.models import counting
from ascflow.models.keras_build import build_model
from ascflow.models.keras_check import compare_with_keras
from ascflow.models.settings import network_settings
from support import REPO

PRESET = REPO / "config" / "low-complexity.yaml"
#: Int8 weights and int32 biases (as a full-integer LiteRT model stores
#: them) must fit too: the closed-form count leaves this much room below
#: the 131,072 bytes of 128 KB.
MOST_PARAMETERS = 120_000


def _preset():
    config = load_config([REPO / "config" / "config.yaml", PRESET])
    spec = network_settings("cnn", config["cnn"]).spec((40, 501, 1), 15)
    return config, spec


def test_the_preset_cnn_fits_the_budget_by_the_closed_form():
    config, spec = _preset()
    seconds, basis = counting.clip_seconds(501)
    assert (seconds, basis) == (10.0, "frames")
    figures = counting.complexity(
        counting.total_params(spec), counting.multiply_accumulates(spec), seconds, config["complexity_limits"]
    )
    assert config["complexity_limits"] == {"parameter_memory_kb": 128, "macs_per_second": 30_000_000}
    assert figures["fits_memory_int8"] and figures["fits_macs"]
    assert figures["parameters"] <= MOST_PARAMETERS
    # Biases at 4 bytes (int32), every other parameter at 1 byte.
    bias_bytes = 3 * sum(row.biases for row in counting.layer_counts(spec))
    assert figures["parameters"] + bias_bytes <= 128 * 1024
    # The small networks' layers are all there.
    types = {layer["type"] for layer in spec.layers}
    assert {"depthwise_conv2d", "batch_norm", "global_avgpool2d"} <= types and "flatten" not in types


def test_the_preset_cnn_fits_by_keras_s_count():
    config, spec = _preset()
    model = build_model(spec)
    assert model.inputs[0].shape == (None, 40, 501, 1)
    compare_with_keras(spec, model)  # every layer's parameters and shape
    assert model.count_params() <= MOST_PARAMETERS
    assert model.count_params() * 1 / 1024 <= config["complexity_limits"]["parameter_memory_kb"]


def test_the_study_s_cnn_does_not_fit():
    """The check can fail: the study's CNN is over the memory budget even at int8."""
    config = load_config([REPO / "config" / "config.yaml"])
    spec = network_settings("cnn", config["cnn"]).spec((40, 501, 1), 15)
    figures = counting.complexity(
        counting.total_params(spec), counting.multiply_accumulates(spec), 10.0, config["complexity_limits"]
    )
    assert not figures["fits_memory_int8"]
