"""ascflow.models.counting, the closed form: parameters, multiply-accumulates
and FLOPs per layer, against Keras's count of parameters, TensorFlow's count
of the Keras model's multiply-accumulates and the study's figures; and the
complexity budget (parameter memory, multiply-accumulates per second of
audio) against its limits."""

from __future__ import annotations

import re
from collections import Counter

import keras
import pytest
from ascflow.models import counting
from ascflow.models.keras_build import build_model
from ascflow.models.keras_check import compare_with_keras
from ascflow.models.specs import (
    NetworkSpec,
    cnn_spec,
    layer_names,
    lstm_spec,
    reference_image_cnn_spec,
    reference_mlp_spec,
)
from reference_networks import DCASE_LIMITS, REFERENCE_CNN, REFERENCE_LSTM, TINY_CONVS

# ---- the closed form, against Keras, TensorFlow and the study -------------------


def tensorflow_multiply_accumulates(
    model: keras.Model, spec: NetworkSpec, products: str = r"/(MatMul|convolution)(_\d+)?$"
) -> dict[str, int]:
    """Per layer, the multiply-accumulates TensorFlow's profiler counts in
    the graph of the Keras model's forward pass (half the floating-point
    operations of its convolutions and matrix products). An LSTM is
    unrolled first, as the profiler cannot count inside a loop."""
    import tensorflow as tf
    from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2

    config = model.get_config()
    for layer in config["layers"]:
        if layer["class_name"] == "LSTM":
            layer["config"]["unroll"] = True
    unrolled = keras.Sequential.from_config(config)
    forward = tf.function(lambda clips: unrolled(clips))
    graph = convert_variables_to_constants_v2(
        forward.get_concrete_function(tf.TensorSpec([1, *spec.input_shape], tf.float32))
    ).graph
    options = {**tf.compat.v1.profiler.ProfileOptionBuilder.float_operation(), "output": "none"}
    profile = tf.compat.v1.profiler.profile(graph=graph, options=options)
    per_layer: Counter = Counter()
    pending = list(profile.children)
    while pending:
        node = pending.pop()
        pending += node.children
        if re.search(products, node.name):
            scope = node.name.split("/")[1]
            per_layer[re.sub(r"_\d+$", "", scope)] += node.float_ops
    return {layer: flops // 2 for layer, flops in per_layer.items()}


@pytest.mark.parametrize(
    "spec",
    [
        cnn_spec((12, 40, 1), 4, TINY_CONVS, 2),
        REFERENCE_CNN,
        lstm_spec((40, 12), 4, 4, "he_uniform"),
        lstm_spec((51, 12), 3, 6, "he_uniform"),
    ],
    ids=lambda spec: f"{spec.name}-{'x'.join(map(str, spec.input_shape))}",
)
def test_closed_form_counts_equal_keras_and_tensorflow(spec):
    model = build_model(spec)
    figures = counting.complexity(
        counting.total_params(spec), counting.multiply_accumulates(spec), 10.0, DCASE_LIMITS
    )
    assert figures["parameters"] == model.count_params()
    measured = tensorflow_multiply_accumulates(model, spec)
    closed_form = {row.name: row.multiply_adds for row in counting.layer_counts(spec) if row.multiply_adds}
    assert measured == closed_form
    assert figures["macs_per_clip"] == sum(measured.values())


def test_reference_mlp_rows_match_the_study():
    rows = counting.layer_counts(reference_mlp_spec())
    assert [(row.weights, row.biases) for row in rows] == [
        (0, 0),
        (4_915_200, 100),
        (10_000, 100),
        (1_000, 10),
    ]


def test_image_cnn_first_convolution_multiplications():
    for padding, expected in [("valid", 36_902_400), ("same", 39_321_600)]:
        spec = reference_image_cnn_spec(padding)
        assert counting.conv_multiplications(spec.layers[0], spec.input_shape) == expected


def test_forward_flops_are_twice_the_multiply_adds():
    # LSTM: 501 steps x 4 gates x 32 x (40 + 32); dense: 16,032 x 15.
    assert counting.forward_flops(REFERENCE_LSTM) == 2 * (501 * 4 * 32 * 72 + 16_032 * 15)
    assert counting.forward_flops(reference_mlp_spec()) == 2 * (4_915_200 + 10_000 + 1_000)


# ---- the complexity budget -------------------------------------------------------


def test_the_reference_networks_against_the_dcase_limits():
    seconds, basis = counting.clip_seconds(501)
    assert (seconds, basis) == (pytest.approx(10.0), "frames")
    figures = counting.complexity(
        counting.total_params(REFERENCE_CNN),
        counting.multiply_accumulates(REFERENCE_CNN),
        seconds,
        DCASE_LIMITS,
    )
    # 562,159 parameters: 2,195.9 KB at float32, 549.0 KB at int8, both over 128 KB.
    assert figures["memory_kb_float32"] == pytest.approx(562_159 * 4 / 1024)
    assert figures["memory_kb_int8"] == pytest.approx(562_159 / 1024)
    assert not (figures["fits_memory_float32"] or figures["fits_memory_int8"])
    # conv 1: 36 x 497 x 25 x 32; conv 2 ('same'): 18 x 248 x 800 x 32; dense: 35,712 x 15.
    macs = 36 * 497 * 25 * 32 + 18 * 248 * 800 * 32 + 9 * 124 * 32 * 15
    assert figures["macs_per_clip"] == macs and figures["macs_per_second"] == pytest.approx(macs / 10)
    assert figures["fits_macs"] == (macs / 10 <= 30_000_000)


def test_limits_decide_each_verdict_and_recordings_give_their_clip_length():
    small = counting.complexity(100_000, 1_000_000, 2.0, DCASE_LIMITS)
    assert not small["fits_memory_float32"] and small["fits_memory_int8"] and small["fits_macs"]
    at_the_limit = counting.complexity(128 * 1024, 60_000_000, 2.0, DCASE_LIMITS)
    assert at_the_limit["fits_memory_int8"] and at_the_limit["fits_macs"]
    over = counting.complexity(128 * 1024 + 1, 60_000_001, 2.0, DCASE_LIMITS)
    assert not (over["fits_memory_int8"] or over["fits_macs"])
    assert counting.clip_seconds(51, audio_clip_s=1) == (1.0, "audio")


# ---- the small networks' layers, and an LSTM, by hand and against Keras ---------
# (strided and depthwise convolutions, batch normalization, global average
# pooling: against counts worked out by hand, and against Keras built with an
# unknown batch size: its parameters per layer, its output shapes, and
# TensorFlow's count of its multiply-accumulates)

#: 8 x 10 clips of 2 channels: a 3x3 'same' convolution of stride 2 with 4
#: filters, a 3x3 'valid' depthwise convolution, batch normalization, global
#: average pooling and a dense layer of 3 classes.
SMALL = NetworkSpec(
    "small",
    (8, 10, 2),
    (
        {
            "type": "conv2d",
            "filters": 4,
            "kernel_size": 3,
            "padding": "same",
            "activation": "relu",
            "strides": 2,
        },
        {"type": "depthwise_conv2d", "kernel_size": 3, "padding": "valid", "activation": "linear"},
        {"type": "batch_norm"},
        {"type": "activation", "activation": "relu"},
        {"type": "global_avgpool2d"},
        {"type": "dense", "units": 3, "activation": "softmax"},
    ),
)
#: By hand, per layer: (output shape, weights, biases, multiply-accumulates).
SMALL_BY_HAND = [
    # 'same', stride 2: ceil(8/2) x ceil(10/2) positions; 3*3*2 taps per filter.
    ((4, 5, 4), 3 * 3 * 2 * 4, 4, 4 * 5 * (3 * 3 * 2) * 4),
    # 'valid' 3x3 on 4 x 5: 2 x 3 positions, one 3x3 kernel per channel.
    ((2, 3, 4), 3 * 3 * 4, 4, 2 * 3 * 4 * 9),
    # scale, offset, moving mean and variance per channel; folded on export.
    ((2, 3, 4), 4 * 4, 0, 0),
    ((2, 3, 4), 0, 0, 0),
    ((4,), 0, 0, 0),
    ((3,), 4 * 3, 3, 4 * 3),
]

#: 6 steps of 5 features, an LSTM of 3 units (last state), a dense layer of 2.
RECURRENT = NetworkSpec(
    "recurrent",
    (6, 5),
    (
        {"type": "lstm", "units": 3, "return_sequences": False, "kernel_initializer": "he_uniform"},
        {"type": "dense", "units": 2, "activation": "softmax"},
    ),
)
RECURRENT_BY_HAND = [
    # Four gates, each a 5 x 3 kernel, a 3 x 3 recurrent kernel and 3 biases;
    # the gates' products at each of the 6 steps.
    ((3,), 4 * 3 * (5 + 3), 4 * 3, 6 * 4 * 3 * (5 + 3)),
    ((2,), 3 * 2, 2, 3 * 2),
]


@pytest.mark.parametrize(("spec", "by_hand"), [(SMALL, SMALL_BY_HAND), (RECURRENT, RECURRENT_BY_HAND)])
def test_counts_equal_the_hand_counts(spec, by_hand):
    rows = counting.layer_counts(spec)
    assert [(row.output_shape, row.weights, row.biases, row.multiply_adds) for row in rows] == by_hand
    assert counting.total_params(spec) == sum(weights + biases for _, weights, biases, _ in by_hand)
    assert counting.multiply_accumulates(spec) == sum(macs for *_, macs in by_hand)


@pytest.mark.parametrize("spec", [SMALL, RECURRENT], ids=lambda spec: spec.name)
def test_counts_equal_keras_with_an_unknown_batch_size(spec):
    model = build_model(spec)
    assert model.inputs[0].shape[0] is None
    assert [layer.name for layer in model.layers] == layer_names(spec)
    for row, layer in zip(counting.layer_counts(spec), model.layers, strict=True):
        assert layer.output.shape[0] is None
        assert tuple(layer.output.shape[1:]) == row.output_shape
        assert layer.count_params() == row.params
    assert model.count_params() == counting.total_params(spec)
    assert len(compare_with_keras(spec, model)) == len(spec.layers)


def test_multiply_accumulates_equal_tensorflow_s_count():
    """TensorFlow's profiler counts the plain and the depthwise convolution
    and the dense layer's products as the closed form does."""
    model = build_model(SMALL)
    measured = tensorflow_multiply_accumulates(model, SMALL, r"/(MatMul|convolution|depthwise)(_\d+)?$")
    closed_form = {row.name: row.multiply_adds for row in counting.layer_counts(SMALL) if row.multiply_adds}
    assert measured == closed_form


def test_a_wrong_closed_form_is_caught_by_keras():
    """The check can fail: a depthwise convolution whose biases Keras does not build."""
    import dataclasses

    spec = dataclasses.replace(
        SMALL, layers=(*SMALL.layers[:1], {**SMALL.layers[1], "use_bias": False}, *SMALL.layers[2:])
    )
    model = build_model(SMALL)  # with biases
    with pytest.raises(Exception, match="parameters in Keras"):
        compare_with_keras(spec, model)


def test_small_cnn_options_build_and_count_alike():
    """Every option of the cnn section at once: strides, separable blocks,
    a block without its pool, batch normalization, global pooling, a hidden
    dense layer and dropout."""
    convs = [
        {"filters": 8, "kernel_size": 3, "padding": "same", "strides": 2},
        {"filters": 16, "kernel_size": 3, "padding": "same", "separable": True},
        {"filters": 16, "kernel_size": 3, "padding": "valid", "separable": True, "pool": False},
    ]
    spec = cnn_spec(
        (40, 60, 1), 5, convs, 2, batch_norm=True, global_pooling=True, dense_units=[12], dropout=0.25
    )
    types = [layer["type"] for layer in spec.layers]
    assert types.count("depthwise_conv2d") == 2 and types.count("batch_norm") == 5
    assert types.count("maxpool2d") == 2 and "flatten" not in types
    model = build_model(spec)
    assert model.count_params() == counting.total_params(spec)
    table = compare_with_keras(spec, model)
    assert table[-1]["output_shape"] == [5]
    # No convolution before a batch normalization has biases.
    assert all(not layer.use_bias for layer in model.layers if isinstance(layer, keras.layers.Conv2D))
