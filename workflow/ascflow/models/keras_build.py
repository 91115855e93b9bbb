"""Build the trainable Keras model of a :class:`NetworkSpec`.

This is the model training uses, so every choice that changes it (padding,
activation, initializer, return_sequences) comes from the spec and nothing is
left to a Keras default that the closed-form count in :mod:`ascflow.models.counting`
does not share. Layer names come from :func:`layer_names`, so the Keras layers
and the closed-form rows match by name.
"""

from __future__ import annotations

import keras

from ascflow.models.input_fit import check_input_fits
from ascflow.models.specs import NetworkSpec, layer_names, option


def _layer(layer: dict, name: str) -> keras.layers.Layer:
    kind = layer["type"]
    if kind == "conv2d":
        return keras.layers.Conv2D(
            layer["filters"],
            layer["kernel_size"],
            strides=option(layer, "strides"),
            padding=layer["padding"],
            activation=layer["activation"],
            use_bias=option(layer, "use_bias"),
            name=name,
        )
    if kind == "depthwise_conv2d":
        return keras.layers.DepthwiseConv2D(
            layer["kernel_size"],
            strides=option(layer, "strides"),
            padding=layer["padding"],
            depth_multiplier=1,
            activation=layer["activation"],
            use_bias=option(layer, "use_bias"),
            name=name,
        )
    if kind == "batch_norm":
        return keras.layers.BatchNormalization(momentum=option(layer, "momentum"), name=name)
    if kind == "activation":
        return keras.layers.Activation(layer["activation"], name=name)
    if kind == "global_avgpool2d":
        return keras.layers.GlobalAveragePooling2D(name=name)
    if kind == "dropout":
        return keras.layers.Dropout(layer["rate"], name=name)
    if kind == "maxpool2d":
        return keras.layers.MaxPooling2D(
            pool_size=layer["pool_size"], strides=layer["pool_size"], padding="valid", name=name
        )
    if kind == "flatten":
        return keras.layers.Flatten(name=name)
    if kind == "dense":
        return keras.layers.Dense(layer["units"], activation=layer["activation"], name=name)
    if kind == "lstm":
        return keras.layers.LSTM(
            layer["units"],
            return_sequences=layer["return_sequences"],
            kernel_initializer=layer["kernel_initializer"],
            name=name,
        )
    raise ValueError(f"unknown layer type {kind!r}")


def build_model(spec: NetworkSpec) -> keras.Model:
    """An uncompiled ``keras.Sequential`` named after the spec, built for its input shape.

    Raises :class:`AscflowError` first when the input is too small, so that
    a user sees the smallest input the network takes instead of a Keras
    shape error.
    """
    check_input_fits(spec)
    layers = [_layer(layer, name) for layer, name in zip(spec.layers, layer_names(spec), strict=True)]
    return keras.Sequential([keras.Input(shape=spec.input_shape), *layers], name=spec.name)
