"""ascflow.models.keras_check: the closed-form parameter counts and output
shapes against the Keras model the builder makes, layer by layer, for the
reference networks, every network the report counts and random
architectures; a wrong closed form is named by network and layer."""

from __future__ import annotations

import numpy as np
import pytest
from ascflow.errors import AscflowError
from ascflow.models import counting
from ascflow.models.input_fit import minimum_input_shape
from ascflow.models.keras_check import compare_with_keras
from ascflow.models.settings import architecture
from ascflow.models.specs import (
    NetworkSpec,
    reference_image_cnn_spec,
    reference_mlp_spec,
)
from reference_networks import REFERENCE_CNN, REFERENCE_CONVS, REFERENCE_LSTM


@pytest.mark.parametrize(
    ("spec", "total"),
    [
        (reference_mlp_spec(), 4_926_410),
        (reference_image_cnn_spec("same"), 355_754),
        (reference_image_cnn_spec("valid"), 297_194),
        (REFERENCE_CNN, 562_159),
        (REFERENCE_LSTM, 249_839),
    ],
    ids=lambda value: value.name if isinstance(value, NetworkSpec) else str(value),
)
def test_reference_totals_both_ways(spec, total):
    assert counting.total_params(spec) == total
    table = compare_with_keras(spec)
    assert sum(row["params_keras"] for row in table) == total


def test_every_network_the_report_counts_matches_keras():
    """The run counts without TensorFlow; here Keras builds every network
    params.json lists, the reference's image networks (which no run trains)
    included, and must agree layer by layer."""
    specs = counting.counted_specs(
        40,
        501,
        15,
        architecture("cnn", {"conv_layers": REFERENCE_CONVS, "pool_size": 2}),
        architecture("lstm", {"units": 32, "kernel_initializer": "he_uniform"}),
    )
    assert list(specs) == list(counting.COUNTED_NETWORKS)
    for spec in specs.values():
        table = compare_with_keras(spec)
        assert [row["params_keras"] for row in table] == [row["params_closed_form"] for row in table]


def _random_conv_spec(rng, index: int) -> NetworkSpec:
    layers = []
    for _ in range(rng.integers(1, 4)):
        layers.append(
            {
                "type": "conv2d",
                "filters": int(rng.integers(1, 7)),
                "kernel_size": int(rng.integers(1, 5)),
                "padding": str(rng.choice(["valid", "same"])),
                "activation": "relu",
            }
        )
        if rng.random() < 0.7:
            layers.append({"type": "maxpool2d", "pool_size": int(rng.integers(1, 4))})
    if rng.random() < 0.8:
        layers.append({"type": "flatten"})
    # Without a flatten the dense layers act on the channel axis at every position.
    for _ in range(rng.integers(1, 3)):
        layers.append({"type": "dense", "units": int(rng.integers(1, 9)), "activation": "relu"})
    sizing = NetworkSpec(f"random_conv_{index}", (1, 1, 1), tuple(layers))
    height, width, _ = minimum_input_shape(sizing)
    shape = (height + int(rng.integers(0, 6)), width + int(rng.integers(0, 6)), int(rng.integers(1, 4)))
    return NetworkSpec(sizing.name, shape, sizing.layers)


def _random_lstm_spec(rng, index: int) -> NetworkSpec:
    layers = []
    n_lstm = int(rng.integers(1, 3))
    for position in range(n_lstm):
        last = position == n_lstm - 1
        layers.append(
            {
                "type": "lstm",
                "units": int(rng.integers(1, 9)),
                # Only the last LSTM may drop the sequence: the next one needs it.
                "return_sequences": bool(rng.random() < 0.5) if last else True,
                "kernel_initializer": str(rng.choice(["he_uniform", "glorot_uniform"])),
            }
        )
    if layers[-1]["return_sequences"] and rng.random() < 0.7:
        layers.append({"type": "flatten"})
    layers.append({"type": "dense", "units": int(rng.integers(1, 9)), "activation": "softmax"})
    shape = (int(rng.integers(1, 13)), int(rng.integers(1, 7)))
    return NetworkSpec(f"random_lstm_{index}", shape, tuple(layers))


def test_closed_form_equals_keras_on_random_architectures():
    rng = np.random.default_rng(2020)
    specs = [(_random_conv_spec if i % 3 else _random_lstm_spec)(rng, i) for i in range(90)]
    for spec in specs:
        table = compare_with_keras(spec)  # raises on any per-layer mismatch
        assert len(table) == len(spec.layers)
        assert sum(row["params_keras"] for row in table) == counting.total_params(spec)


def test_wrong_closed_form_names_network_and_layer(monkeypatch):
    correct = counting.weights_and_biases

    def one_weight_too_many(layer, input_shape):
        weights, biases = correct(layer, input_shape)
        return (weights + 1, biases) if layer["type"] == "dense" else (weights, biases)

    monkeypatch.setattr(counting, "weights_and_biases", one_weight_too_many)
    with pytest.raises(
        AscflowError, match=r"^cnn: layer dense_1 has 535,695 parameters in Keras but 535,696"
    ):
        compare_with_keras(REFERENCE_CNN)


def test_wrong_closed_form_shape_names_the_layer(monkeypatch):
    correct = counting.layer_output_shapes

    def pooling_forgotten(spec):
        shapes = correct(spec)
        shapes[1] = shapes[0]
        return shapes

    monkeypatch.setattr(counting, "layer_output_shapes", pooling_forgotten)
    with pytest.raises(AscflowError, match=r"^cnn: layer maxpool2d_1 outputs \(18, 248, 32\) in Keras"):
        compare_with_keras(REFERENCE_CNN)
