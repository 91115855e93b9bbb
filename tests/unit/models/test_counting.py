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
from ascflow.models.specs import (
    NetworkSpec,
    cnn_spec,
    lstm_spec,
    reference_image_cnn_spec,
    reference_mlp_spec,
)
from reference_networks import DCASE_LIMITS, REFERENCE_CNN, REFERENCE_LSTM, TINY_CONVS

# ---- the closed form, against Keras, TensorFlow and the study -------------------


def tensorflow_multiply_accumulates(model: keras.Model, spec: NetworkSpec) -> dict[str, int]:
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
        if re.search(r"/(MatMul|convolution)(_\d+)?$", node.name):
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
