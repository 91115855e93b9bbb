"""Architecture specs: shapes, names and descriptions (no TensorFlow)."""

import pytest
from ascflow.models.specs import (
    NetworkSpec,
    layer_names,
    layer_output_shapes,
    lstm_spec,
    reference_image_cnn_spec,
    reference_mlp_spec,
)
from reference_networks import reference_cnn


def test_reference_cnn_shapes_names_and_description():
    spec = reference_cnn()
    assert layer_names(spec) == ["conv2d_1", "maxpool2d_1", "conv2d_2", "maxpool2d_2", "flatten", "dense_1"]
    assert layer_output_shapes(spec) == [
        (36, 497, 32),
        (18, 248, 32),
        (18, 248, 32),
        (9, 124, 32),
        (35712,),
        (15,),
    ]
    assert spec.description == (
        "40x501x1 -> Conv2D 32 5x5 'valid' ReLU -> MaxPool 2x2 -> Conv2D 32 5x5 'same' ReLU "
        "-> MaxPool 2x2 -> Flatten -> Dense 15 softmax"
    )


def test_lstm_and_reference_networks():
    lstm = lstm_spec((501, 40), 15, 32, "he_uniform")
    assert layer_names(lstm) == ["lstm_1", "flatten", "dense_1"]
    assert layer_output_shapes(lstm) == [(501, 32), (16032,), (15,)]
    assert layer_names(reference_mlp_spec()) == ["flatten", "dense_1", "dense_2", "dense_3"]
    assert layer_output_shapes(reference_image_cnn_spec("same"))[4] == (32 * 32 * 32,)
    assert layer_output_shapes(reference_image_cnn_spec("valid"))[4] == (29 * 29 * 32,)
    assert "'valid'" in reference_image_cnn_spec("valid").description


def test_malformed_layer_is_a_bug_not_a_user_error():
    with pytest.raises(ValueError, match="must have keys"):
        NetworkSpec("broken", (4,), ({"type": "dense", "units": 3},))
    with pytest.raises(ValueError, match="unknown type"):
        NetworkSpec("broken", (4,), ({"type": "attention"},))
