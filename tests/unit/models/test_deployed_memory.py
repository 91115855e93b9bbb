"""The parameter memory of a LiteRT model, counted by data type from its
constant tensors, against a hand count of a small network quantized for
real (TensorFlow's converter, full-integer int8 with a representative set)."""

from __future__ import annotations

import numpy as np
import pytest
from ascflow.errors import AscflowError
from ascflow.models.deployed_memory import constant_parameters, float_operators, parameter_memory

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")

INPUT = (8, 10, 1)


def small_network():
    """A conv (4 filters 3x3 on 1 channel), a depthwise conv (3x3 on 4
    channels) and a dense layer (96 -> 3), every weight and bias non-zero
    (the converter drops an all-zero bias and shares identical buffers)."""
    keras.utils.set_random_seed(3)
    inputs = keras.Input(INPUT)
    x = keras.layers.Conv2D(4, 3, activation="relu")(inputs)  # 6 x 8 x 4
    x = keras.layers.DepthwiseConv2D(3, activation="relu")(x)  # 4 x 6 x 4
    x = keras.layers.Flatten()(x)  # 96
    outputs = keras.layers.Dense(3, activation="softmax")(x)
    model = keras.Model(inputs, outputs)
    rng = np.random.default_rng(0)
    for weight in model.weights:
        weight.assign(rng.uniform(0.05, 0.5, size=weight.shape).astype("float32"))
    return model


def convert(model, kind: str) -> bytes:
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    if kind == "int8":

        def representative():
            rng = np.random.default_rng(1)
            for _ in range(8):
                yield [rng.normal(size=(1, *INPUT)).astype(np.float32)]

        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.representative_dataset = representative
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    elif kind == "float16":
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.target_spec.supported_types = [tf.float16]
    return converter.convert()


@pytest.fixture(scope="module")
def network():
    return small_network()


@pytest.fixture(scope="module")
def int8_model(network):
    return convert(network, "int8")


#: By hand: weights (k*k*cin*filters, k*k*channels, inputs*units) and biases.
WEIGHTS = 3 * 3 * 1 * 4 + 3 * 3 * 4 + 96 * 3  # 36 + 36 + 288 = 360
BIASES = 4 + 4 + 3


def test_int8_model_counts_one_byte_per_weight_and_four_per_bias(network, int8_model, tmp_path):
    path = tmp_path / "model_int8.tflite"
    path.write_bytes(int8_model)
    memory = parameter_memory(path)
    assert memory["by_dtype"] == {
        "int8": {"parameters": WEIGHTS, "bytes": WEIGHTS},
        "int32": {"parameters": BIASES, "bytes": 4 * BIASES},
    }
    assert memory["parameters"] == WEIGHTS + BIASES == network.count_params() == 371
    assert memory["bytes"] == 360 + 44 and memory["kb"] == pytest.approx(404 / 1024)
    assert memory["tensors"] == 6  # three kernels, three biases: no shape constant, no activation
    assert memory["file_bytes"] == len(int8_model) > memory["bytes"]  # and the graph
    assert parameter_memory(int8_model) == memory  # the bytes as the file


def test_the_flattens_shape_constants_are_not_parameters(int8_model):
    names = [tensor["name"] for tensor in constant_parameters(int8_model)]
    assert not [name for name in names if "flatten" in name.lower()]
    shapes = sorted(tuple(tensor["shape"]) for tensor in constant_parameters(int8_model))
    assert shapes == [(1, 3, 3, 4), (3,), (3, 96), (4,), (4,), (4, 3, 3, 1)]


def test_float_models_count_their_storage_type(network):
    assert parameter_memory(convert(network, "float32"))["by_dtype"] == {
        "float32": {"parameters": 371, "bytes": 4 * 371}
    }
    float16 = parameter_memory(convert(network, "float16"))
    assert float16["by_dtype"]["float16"]["bytes"] == 2 * float16["by_dtype"]["float16"]["parameters"]
    assert float16["parameters"] == 371


def test_a_full_integer_model_has_no_float_operator_and_a_float_one_has_all(network, int8_model):
    assert float_operators(int8_model) == []
    assert set(float_operators(convert(network, "float32"))) >= {
        "CONV_2D",
        "DEPTHWISE_CONV_2D",
        "FULLY_CONNECTED",
    }


def test_a_file_that_is_no_model_is_named_in_one_sentence(tmp_path):
    path = tmp_path / "model_int8.tflite"
    path.write_bytes(b"not a model at all")
    with pytest.raises(AscflowError, match=r"model_int8\.tflite: is not a LiteRT"):
        parameter_memory(path)
    with pytest.raises(AscflowError, match="cannot be read"):
        parameter_memory(tmp_path / "missing.tflite")


def test_an_lstm_exported_by_the_workflows_converter_counts_its_kernels_and_its_bias_twice():
    """runtimes.int8_litert unrolls the LSTM: its kernels are one int8 tensor
    each, shared by the steps; its bias is both the first step's int32 bias
    and an int8 operand of the later steps' ADD (4 x units values more)."""
    from ascflow.models.runtimes import int8_litert

    keras.utils.set_random_seed(3)
    inputs = keras.Input((6, 5))  # 6 steps of 5 features
    x = keras.layers.LSTM(4, return_sequences=True)(inputs)
    x = keras.layers.Flatten()(x)  # 24
    model = keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(x))
    rng = np.random.default_rng(0)
    for weight in model.weights:
        weight.assign(rng.uniform(0.05, 0.5, size=weight.shape).astype("float32"))
    flatbuffer, float_ops = int8_litert(model, rng.normal(size=(8, 6, 5)).astype("float32"))
    kernels = 4 * 4 * 5 + 4 * 4 * 4  # the gates' input and recurrent kernels: 80 + 64
    assert model.count_params() == kernels + 16 + 24 * 3 + 3 == 235
    memory = parameter_memory(flatbuffer)
    assert memory["by_dtype"] == {
        "int8": {"parameters": kernels + 24 * 3 + 16, "bytes": kernels + 24 * 3 + 16},
        "int32": {"parameters": 16 + 3, "bytes": 4 * (16 + 3)},
    }
    assert memory["parameters"] == model.count_params() + 4 * 4
    assert float_ops == float_operators(flatbuffer) == []
