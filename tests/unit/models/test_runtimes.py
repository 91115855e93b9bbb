"""The exported runtimes, for real: a tiny CNN and a tiny LSTM trained a few
epochs, converted to int8 LiteRT and to ONNX, and run in ai-edge-litert's
interpreter and in ONNX Runtime beside Keras."""

from __future__ import annotations

import re
import sys

import keras
import numpy as np
import pytest
from ascflow.errors import AscflowError
from ascflow.models.runtimes import (
    INT8_FILE,
    ONNX_BATCH,
    ONNX_FILE,
    RUNTIMES,
    float_ops,
    int8_litert,
    onnx_model,
    open_runtime,
    static_copy,
)

N_CLASSES = 3


def separable(shape: tuple[int, ...], n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Standardized-looking clips whose class shifts a third of the values."""
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % N_CLASSES
    clips = rng.standard_normal((n, *shape)).astype(np.float32)
    flat = clips.reshape(n, -1)
    third = flat.shape[1] // N_CLASSES
    for label in range(N_CLASSES):
        flat[labels == label, label * third : (label + 1) * third] += 1.0
    return flat.reshape(clips.shape), labels


def trained(layers: list, shape: tuple[int, ...]):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape), *layers])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy")
    clips, labels = separable(shape, 60, seed=0)
    model.fit(clips, labels, epochs=4, batch_size=16, verbose=0)
    return model, clips


@pytest.fixture(scope="module", params=["cnn", "lstm"])
def exported(request, tmp_path_factory):
    """A trained tiny network, its int8 LiteRT and ONNX files, its
    representative clips and held-out clips."""
    if request.param == "cnn":
        shape = (8, 20, 1)
        layers = [
            keras.layers.Conv2D(4, 3, padding="same", activation="relu"),
            keras.layers.MaxPooling2D(2, 2),
            keras.layers.Flatten(),
            keras.layers.Dense(N_CLASSES, activation="softmax"),
        ]
    else:
        shape = (20, 8)  # frames x features, time-major
        layers = [
            keras.layers.LSTM(6, return_sequences=True, kernel_initializer="he_uniform"),
            keras.layers.Flatten(),
            keras.layers.Dense(N_CLASSES, activation="softmax"),
        ]
    model, clips = trained(layers, shape)
    folder = tmp_path_factory.mktemp(request.param)
    representative = clips[:16]
    flatbuffer, floats = int8_litert(model, representative)
    (folder / INT8_FILE).write_bytes(flatbuffer)
    (folder / ONNX_FILE).write_bytes(onnx_model(model))
    model.save(folder / "model.keras")
    held_out, _ = separable(shape, 90, seed=1)
    return {
        "name": request.param,
        "model": model,
        "folder": folder,
        "representative": representative,
        "flatbuffer": flatbuffer,
        "floats": floats,
        "held_out": held_out,
    }


def test_int8_model_is_all_integer_and_deterministic(exported):
    assert exported["floats"] == []
    again, _ = int8_litert(exported["model"], exported["representative"])
    assert again == exported["flatbuffer"]
    runner = open_runtime(exported["folder"] / INT8_FILE, "litert")
    details = runner.interpreter.get_tensor_details()
    weights = [d for d in details if d["name"].endswith(("kernel", "MatMul")) or "conv" in d["name"].lower()]
    assert any(d["dtype"] == np.int8 for d in details) and weights


def test_float_ops_names_the_ops_of_a_float_model(exported):
    """Converted without quantization, every computing op is named."""
    import tensorflow as tf

    flatbuffer = tf.lite.TFLiteConverter.from_keras_model(static_copy(exported["model"])).convert()
    names = float_ops(flatbuffer)
    assert "FULLY_CONNECTED" in names and "SOFTMAX" in names
    assert ("CONV_2D" in names) == (exported["name"] == "cnn")


def test_int8_and_onnx_agree_with_keras(exported):
    x = exported["held_out"]
    expected = exported["model"].predict(x, verbose=0)
    litert = open_runtime(exported["folder"] / INT8_FILE, "litert", threads=1)
    onnx = open_runtime(exported["folder"] / ONNX_FILE, "onnx", threads=1)
    keras_runtime = open_runtime(exported["folder"] / "model.keras", "keras")
    for runner in (litert, onnx, keras_runtime):
        assert runner.input_shape == x.shape[1:] and runner.n_classes == N_CLASSES
    int8, float32 = litert.predict(x), onnx.predict(x)
    assert int8.shape == float32.shape == (len(x), N_CLASSES) and int8.dtype == np.float64
    np.testing.assert_allclose(float32, expected, atol=1e-4)
    np.testing.assert_allclose(keras_runtime.predict(x), expected, atol=1e-6)
    assert np.abs(int8 - expected).max() < 0.2
    assert (int8.argmax(axis=1) == expected.argmax(axis=1)).mean() >= 0.9
    # The model learnt something, so agreement is not that of constant outputs.
    assert len(set(expected.argmax(axis=1))) == N_CLASSES


def test_batches_of_any_size(exported):
    x = np.concatenate([exported["held_out"]] * 2)[: ONNX_BATCH + 3]
    for runtime, name in (("litert", INT8_FILE), ("onnx", ONNX_FILE)):
        runner = open_runtime(exported["folder"] / name, runtime)
        whole = runner.predict(x)
        np.testing.assert_allclose(runner.predict(x[:1]), whole[:1], atol=1e-6)
        np.testing.assert_allclose(runner.predict(x[5:9]), whole[5:9], atol=1e-6)
        assert runner.predict(x[:0]).shape == (0, N_CLASSES)


@pytest.mark.parametrize(
    ("runtime", "module", "command"),
    [
        ("litert", "ai_edge_litert.interpreter", "pip install ai-edge-litert"),
        ("onnx", "onnxruntime", "pip install onnxruntime"),
    ],
)
def test_runtime_not_installed_is_named_with_its_install_command(
    exported, monkeypatch, runtime, module, command
):
    monkeypatch.setitem(sys.modules, module, None)  # import raises ImportError
    name = INT8_FILE if runtime == "litert" else ONNX_FILE
    with pytest.raises(
        AscflowError, match=rf"^the {runtime} runtime is not installed .*`{re.escape(command)}`\.$"
    ):
        open_runtime(exported["folder"] / name, runtime)


def test_onnx_export_needs_tf2onnx(exported, monkeypatch):
    monkeypatch.setitem(sys.modules, "tf2onnx", None)
    with pytest.raises(AscflowError, match=r"`pip install tf2onnx onnx`\.$"):
        onnx_model(exported["model"])


def test_unknown_runtime_is_one_sentence(tmp_path):
    with pytest.raises(
        AscflowError, match=r"^unknown runtime 'tflite'; choose one of keras, litert, onnx\.$"
    ):
        open_runtime(tmp_path / "model", "tflite")
    assert RUNTIMES == ("keras", "litert", "onnx")
