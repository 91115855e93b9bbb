"""ascflow.models.keras_build: the builder keeps every choice of the spec."""

from __future__ import annotations

from ascflow.models.keras_build import build_model
from reference_networks import REFERENCE_CNN, REFERENCE_LSTM


def test_builder_keeps_every_choice_of_the_spec():
    cnn = build_model(REFERENCE_CNN)
    assert [cnn.get_layer(name).padding for name in ("conv2d_1", "conv2d_2")] == ["valid", "same"]
    assert cnn.get_layer("conv2d_1").get_config()["activation"] == "relu"
    assert cnn.get_layer("dense_1").get_config()["activation"] == "softmax"
    assert cnn.get_layer("maxpool2d_1").get_config()["strides"] == (2, 2)
    lstm = build_model(REFERENCE_LSTM).get_layer("lstm_1")
    assert lstm.return_sequences
    assert lstm.get_config()["kernel_initializer"]["class_name"] == "HeUniform"
