"""Architecture specs: shapes, names, descriptions and the too-small-input check (no TensorFlow)."""

import numpy as np
import pytest
from ascflow.errors import AscflowError
from ascflow.models.specs import (
    NetworkSpec,
    check_input_fits,
    cnn_spec,
    layer_names,
    layer_output_shapes,
    lstm_spec,
    minimum_input_shape,
    reference_image_cnn_spec,
    reference_mlp_spec,
)
from reference_networks import REFERENCE_CONVS


def reference_cnn(n_features=40, n_frames=501):
    return cnn_spec((n_features, n_frames, 1), 15, REFERENCE_CONVS, 2)


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


def test_too_small_clips_name_the_minimum():
    with pytest.raises(AscflowError) as raised:
        check_input_fits(reference_cnn(6, 30))
    assert str(raised.value) == (
        "cnn: clips of 6 x 30 (features x time) are too small for this network "
        "(two 5x5 convolutions and two 2x2 poolings); it needs at least 8 x 8."
    )


def test_reference_sizes_fit():
    check_input_fits(reference_cnn())
    check_input_fits(lstm_spec((501, 40), 15, 32, "he_uniform"))
    check_input_fits(reference_image_cnn_spec("valid"))


def test_minimum_is_the_smallest_that_fits():
    # The reference CNN: 8 -> conv 'valid' 4 -> pool 2 -> conv 'same' 2 -> pool 1.
    assert minimum_input_shape(reference_cnn()) == (8, 8, 1)
    check_input_fits(reference_cnn(8, 8))
    with pytest.raises(AscflowError, match="at least 8 x 8"):
        check_input_fits(reference_cnn(7, 501))


def test_minimum_over_random_conv_stacks():
    rng = np.random.default_rng(7)
    for _ in range(200):
        convs = [
            {
                "filters": 2,
                "kernel_size": int(rng.integers(1, 8)),
                "padding": str(rng.choice(["valid", "same"])),
            }
            for _ in range(rng.integers(1, 4))
        ]
        spec = cnn_spec((1, 1, 1), 3, convs, int(rng.integers(1, 4)))
        minimum = minimum_input_shape(spec)
        check_input_fits(cnn_spec(minimum, 3, convs, spec.layers[1]["pool_size"]))
        smaller = (minimum[0] - 1, minimum[1], 1)
        if smaller[0] >= 1:
            with pytest.raises(AscflowError):
                check_input_fits(cnn_spec(smaller, 3, convs, spec.layers[1]["pool_size"]))


def test_malformed_layer_is_a_bug_not_a_user_error():
    with pytest.raises(ValueError, match="must have keys"):
        NetworkSpec("broken", (4,), ({"type": "dense", "units": 3},))
    with pytest.raises(ValueError, match="unknown type"):
        NetworkSpec("broken", (4,), ({"type": "attention"},))
