"""The too-small-input check of a network spec (no TensorFlow)."""

import numpy as np
import pytest
from ascflow.errors import AscflowError
from ascflow.models.input_fit import check_input_fits, minimum_input_shape
from ascflow.models.specs import cnn_spec, lstm_spec, reference_image_cnn_spec
from reference_networks import reference_cnn


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
