"""The small networks' options of the cnn section: off by default (the
study's CNN, its layers and its recorded settings unchanged), and the
layers each makes when on."""

from __future__ import annotations

from ascflow.models.settings import network_settings, without_default_options
from ascflow.models.specs import cnn_spec, layer_names, layer_output_shapes
from reference_networks import REFERENCE_CNN, REFERENCE_CONVS

STUDY_SECTION = {
    "conv_layers": REFERENCE_CONVS,
    "pool_size": 2,
    "learning_rate": 0.001,
    "batch_size": 64,
    "epochs": 10,
    "early_stopping_patience": 10,
}
#: The same section as the schema completes it: every option at its default.
COMPLETED = {
    **STUDY_SECTION,
    "conv_layers": [{**conv, "strides": 1, "separable": False, "pool": True} for conv in REFERENCE_CONVS],
    "batch_norm": False,
    "global_pooling": False,
    "dense_units": [],
    "dropout": 0,
}


def test_options_at_their_defaults_are_the_study_s_cnn():
    assert without_default_options("cnn", COMPLETED) == STUDY_SECTION
    settings = network_settings("cnn", COMPLETED)
    assert settings.to_config() == STUDY_SECTION
    assert settings.spec((40, 501, 1), 15) == REFERENCE_CNN
    # The LSTM's section is left as it is.
    assert without_default_options("lstm", {"units": 32, "dropout": 0}) == {"units": 32, "dropout": 0}


def test_options_on_are_kept_and_shape_the_network():
    section = {
        **COMPLETED,
        "conv_layers": [
            {
                "filters": 16,
                "kernel_size": 3,
                "padding": "same",
                "strides": 2,
                "separable": False,
                "pool": False,
            },
            {
                "filters": 32,
                "kernel_size": 3,
                "padding": "same",
                "strides": 1,
                "separable": True,
                "pool": True,
            },
        ],
        "batch_norm": True,
        "global_pooling": True,
        "dense_units": [20],
        "dropout": 0.1,
    }
    kept = without_default_options("cnn", section)
    assert kept["conv_layers"] == [
        {"filters": 16, "kernel_size": 3, "padding": "same", "strides": 2, "pool": False},
        {"filters": 32, "kernel_size": 3, "padding": "same", "separable": True},
    ]
    assert {"batch_norm", "global_pooling", "dense_units", "dropout"} <= set(kept)
    settings = network_settings("cnn", section)
    assert network_settings("cnn", settings.to_config()) == settings  # a refit reads it back
    spec = settings.spec((40, 501, 1), 15)
    assert layer_names(spec) == [
        "conv2d_1",
        "batch_norm_1",
        "activation_1",
        "depthwise_conv2d_1",
        "batch_norm_2",
        "activation_2",
        "conv2d_2",
        "batch_norm_3",
        "activation_3",
        "maxpool2d_1",
        "dropout_1",
        "global_avgpool2d",
        "dense_1",
        "dropout_2",
        "dense_2",
    ]
    shapes = layer_output_shapes(spec)
    assert shapes[0] == (20, 251, 16)  # 'same', stride 2: ceil(40/2) x ceil(501/2)
    assert shapes[3] == (20, 251, 16)  # depthwise: the channels stay
    assert shapes[6] == (20, 251, 32)  # pointwise 1x1: the filters
    assert shapes[9] == (10, 125, 32)
    assert shapes[11] == (32,)
    assert spec.description.startswith(
        "40x501x1 -> Conv2D 16 3x3 stride 2 'same' linear -> BatchNorm -> ReLU -> "
        "DepthwiseConv2D 3x3 'same' linear -> BatchNorm -> ReLU -> Conv2D 32 1x1 'valid' linear"
    )


def test_valid_strided_convolution_sizes_follow_keras():
    """'valid' with stride s: floor((n - k) / s) + 1 positions."""
    spec = cnn_spec((9, 10, 1), 2, [{"filters": 1, "kernel_size": 3, "padding": "valid", "strides": 2}], 1)
    assert layer_output_shapes(spec)[0] == (4, 4, 1)
