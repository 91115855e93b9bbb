"""Every network the workflow trains or counts, described once, as data.

A :class:`NetworkSpec` is read by two independent consumers: the Keras builder
(:mod:`ascflow.models.keras_build`), which trains it, and the closed-form
counter (:mod:`ascflow.models.counting`), which checks it. Neither knows the other, so
"closed form == Keras" is a real cross-check of one definition.

Layer dicts spell out every key, so that no consumer relies on a default the
other might not share::

    {"type": "conv2d", "filters": 32, "kernel_size": 5, "padding": "valid", "activation": "relu"}
    {"type": "maxpool2d", "pool_size": 2}        # stride == pool_size, 'valid' pooling
    {"type": "flatten"}
    {"type": "dense", "units": 15, "activation": "softmax"}
    {"type": "lstm", "units": 32, "return_sequences": True, "kernel_initializer": "he_uniform"}

and, for the small networks of the low-complexity preset::

    {"type": "depthwise_conv2d", "kernel_size": 3, "padding": "same", "activation": "linear"}
    {"type": "batch_norm"}                        # after a convolution, before its ReLU
    {"type": "activation", "activation": "relu"}
    {"type": "global_avgpool2d"}                  # instead of flatten
    {"type": "dropout", "rate": 0.2}

Kernels are square. A convolution (plain or depthwise) may also spell out
``strides`` and ``use_bias`` (:data:`LAYER_OPTIONS`: stride 1 and biases,
Keras's defaults, where it does not); every other layer with weights has
biases (Keras's default).

This module imports neither TensorFlow nor Keras: the Snakefile and the
closed-form counts read it without paying for TensorFlow's start-up.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

PADDINGS = ("valid", "same")

#: The keys each layer type must spell out (besides "type").
LAYER_KEYS = {
    "conv2d": ("filters", "kernel_size", "padding", "activation"),
    "maxpool2d": ("pool_size",),
    "flatten": (),
    "dense": ("units", "activation"),
    "lstm": ("units", "return_sequences", "kernel_initializer"),
    "depthwise_conv2d": ("kernel_size", "padding", "activation"),
    "batch_norm": (),
    "activation": ("activation",),
    "global_avgpool2d": (),
    "dropout": ("rate",),
}

#: Keys a layer may spell out, and their value where it does not (Keras's
#: defaults), read by every consumer through :func:`option`.
LAYER_OPTIONS = {
    "conv2d": {"strides": 1, "use_bias": True},
    "depthwise_conv2d": {"strides": 1, "use_bias": True},
    # Keras's 0.99 leaves the moving statistics of a small data set's few
    # hundred steps far from the batches' (a network that validated at chance
    # after four epochs of 1,200 clips); 0.9 follows them within tens.
    "batch_norm": {"momentum": 0.9},
}

#: The layers that take a (height, width, channels) input.
SPATIAL_LAYERS = ("conv2d", "depthwise_conv2d", "maxpool2d", "global_avgpool2d")


def option(layer: dict, key: str):
    """A layer's optional key (:data:`LAYER_OPTIONS`), or its default."""
    return layer.get(key, LAYER_OPTIONS[layer["type"]][key])


#: What the input axes of the spectrogram networks mean to a user, who knows
#: a clip as features x time; used in the message of :func:`ascflow.models.input_fit.check_input_fits`.
#: None marks an axis the feature layout adds, which the user never sees.
INPUT_AXES = {
    "cnn": ("features", "time", None),
    "lstm": ("time", "features"),
}

# The reference study's image networks (questions 1 and 2): 128 x 128 RGB
# images, 10 classes.
IMAGE_SHAPE = (128, 128, 3)
IMAGE_CLASSES = 10


@dataclass(frozen=True)
class NetworkSpec:
    name: str  # e.g. "cnn", "lstm", "reference_mlp", "image_cnn_same", "image_cnn_valid"
    input_shape: tuple[int, ...]  # without the batch axis, e.g. (40, 501, 1) or (501, 40)
    layers: tuple[dict, ...]
    description: str = ""  # one line for the report, including padding

    def __post_init__(self):
        # A malformed spec is a bug in the code that built it, not a user's
        # mistake (the config schema already bounds every value), hence
        # ValueError rather than AscflowError.
        for index, layer in enumerate(self.layers):
            expected = LAYER_KEYS.get(layer.get("type"))
            if expected is None:
                raise ValueError(f"{self.name}: layer {index} has unknown type {layer.get('type')!r}")
            optional = set(LAYER_OPTIONS.get(layer["type"], ()))
            if not {"type", *expected} <= set(layer) <= {"type", *expected, *optional}:
                raise ValueError(f"{self.name}: layer {index} ({layer['type']}) must have keys {expected}")
            if layer["type"] in ("conv2d", "depthwise_conv2d") and layer["padding"] not in PADDINGS:
                raise ValueError(f"{self.name}: layer {index} has padding {layer['padding']!r}")


def layer_names(spec: NetworkSpec) -> list[str]:
    """The Keras name of each layer: ``conv2d_1``, ``maxpool2d_1``, ``dense_2``...

    Numbered per type in order, so that the closed-form table and the Keras
    model can be matched row by row; a network's only flatten is plainly
    ``flatten`` (and its only global pooling ``global_avgpool2d``).
    """
    totals = Counter(layer["type"] for layer in spec.layers)
    seen: Counter = Counter()
    names = []
    for layer in spec.layers:
        kind = layer["type"]
        seen[kind] += 1
        alone = kind in ("flatten", "global_avgpool2d") and totals[kind] == 1
        names.append(kind if alone else f"{kind}_{seen[kind]}")
    return names


def output_shape(layer: dict, input_shape: tuple[int, ...], network: str = "") -> tuple[int, ...]:
    """The shape one layer makes of ``input_shape`` (no batch axis).

    A dimension may come out below 1 when the input is too small; callers
    that need a usable shape check with :func:`ascflow.models.input_fit.check_input_fits`.
    """
    kind = layer["type"]
    required_rank = {**dict.fromkeys(SPATIAL_LAYERS, 3), "lstm": 2}.get(kind)
    if required_rank is not None and len(input_shape) != required_rank:
        raise ValueError(f"{network}: {kind} needs a rank-{required_rank} input, got {input_shape}")
    if kind in ("conv2d", "depthwise_conv2d"):
        height, width, channels = input_shape
        size = (_conv_size(height, layer), _conv_size(width, layer))
        return (*size, layer["filters"] if kind == "conv2d" else channels)
    if kind == "maxpool2d":
        # Keras's 'valid' pooling with stride == pool size drops the remainder.
        height, width, channels = input_shape
        return (height // layer["pool_size"], width // layer["pool_size"], channels)
    if kind == "flatten":
        return (math.prod(input_shape),)
    if kind == "global_avgpool2d":
        return (input_shape[-1],)
    if kind in ("batch_norm", "activation", "dropout"):
        return tuple(input_shape)
    if kind == "dense":
        return (*input_shape[:-1], layer["units"])  # Dense acts on the last axis
    if kind == "lstm":
        steps, _ = input_shape
        return (steps, layer["units"]) if layer["return_sequences"] else (layer["units"],)
    raise ValueError(f"{network}: unknown layer type {kind!r}")


def _conv_size(size: int, layer: dict) -> int:
    """One output side of a convolution: Keras's 'valid' drops the positions
    where the kernel would overhang, 'same' keeps ceil(size / stride)."""
    strides = option(layer, "strides")
    if layer["padding"] == "same":
        return -(-size // strides)
    overhang = size - layer["kernel_size"]
    return overhang // strides + 1 if overhang >= 0 else overhang + 1


def layer_output_shapes(spec: NetworkSpec, input_shape: tuple[int, ...] | None = None) -> list[tuple]:
    """Each layer's output shape, for ``spec``'s input or another one."""
    shape = tuple(spec.input_shape if input_shape is None else input_shape)
    shapes = []
    for layer in spec.layers:
        shape = output_shape(layer, shape, spec.name)
        shapes.append(shape)
    return shapes


def describe(input_shape: tuple[int, ...], layers: tuple[dict, ...]) -> str:
    """One line for the report, e.g. ``40x501x1 -> Conv2D 32 5x5 'valid' ReLU -> ...``."""
    parts = ["x".join(str(size) for size in input_shape)]
    for layer in layers:
        kind = layer["type"]
        if kind == "conv2d":
            size = layer["kernel_size"]
            kernel = f"{size}x{size}{_strides(layer)} '{layer['padding']}'"
            parts.append(f"Conv2D {layer['filters']} {kernel} {_activation(layer)}")
        elif kind == "depthwise_conv2d":
            size = layer["kernel_size"]
            parts.append(
                f"DepthwiseConv2D {size}x{size}{_strides(layer)} '{layer['padding']}' {_activation(layer)}"
            )
        elif kind == "batch_norm":
            parts.append("BatchNorm")
        elif kind == "activation":
            parts.append(_activation(layer))
        elif kind == "global_avgpool2d":
            parts.append("GlobalAvgPool")
        elif kind == "dropout":
            parts.append(f"Dropout {layer['rate']:g}")
        elif kind == "maxpool2d":
            parts.append(f"MaxPool {layer['pool_size']}x{layer['pool_size']}")
        elif kind == "flatten":
            parts.append("Flatten")
        elif kind == "dense":
            parts.append(f"Dense {layer['units']} {_activation(layer)}")
        elif kind == "lstm":
            sequences = "return_sequences" if layer["return_sequences"] else "last state"
            parts.append(f"LSTM {layer['units']} ({sequences}, {layer['kernel_initializer']})")
    return " -> ".join(parts)


def _strides(layer: dict) -> str:
    strides = option(layer, "strides")
    return f" stride {strides}" if strides != 1 else ""


def _activation(layer: dict) -> str:
    return {"relu": "ReLU"}.get(layer["activation"], layer["activation"])


def _spec(name: str, input_shape, layers: list[dict]) -> NetworkSpec:
    input_shape = tuple(int(size) for size in input_shape)
    layers = tuple(layers)
    return NetworkSpec(name, input_shape, layers, describe(input_shape, layers))


def _conv(filters: int, kernel_size: int, padding: str) -> dict:
    return {
        "type": "conv2d",
        "filters": int(filters),
        "kernel_size": int(kernel_size),
        "padding": padding,
        "activation": "relu",
    }


def _conv_blocks(conv_layers, pool_size: int, batch_norm: bool = False, dropout: float = 0.0) -> list[dict]:
    """Each convolution followed by its max pool, as in the reference CNNs.

    A convolution's optional keys (the config's): ``strides`` (1),
    ``separable`` (false: a depthwise ``k x k`` convolution, then a
    pointwise ``1 x 1`` one with the filters) and ``pool`` (true: the max
    pool after it). ``batch_norm`` puts batch normalization between each
    convolution and its ReLU (the convolution then has no biases, which the
    normalization's offset replaces); ``dropout`` > 0 follows each pool.
    """
    layers = []
    for conv in conv_layers:
        strides = int(conv.get("strides", 1))
        if conv.get("separable", False):
            depthwise = {
                "type": "depthwise_conv2d",
                "kernel_size": int(conv["kernel_size"]),
                "padding": conv["padding"],
                "activation": "linear",
            }
            layers += _normalized(
                _with_options(depthwise, strides, batch_norm), batch_norm, activate=batch_norm
            )
            pointwise = _with_options(_conv(conv["filters"], 1, "valid"), 1, batch_norm)
            layers += _normalized(pointwise, batch_norm)
        else:
            plain = _with_options(
                _conv(conv["filters"], conv["kernel_size"], conv["padding"]), strides, batch_norm
            )
            layers += _normalized(plain, batch_norm)
        if conv.get("pool", True):
            layers.append({"type": "maxpool2d", "pool_size": int(pool_size)})
            layers += _dropout(dropout)
    return layers


def _with_options(layer: dict, strides: int, batch_norm: bool) -> dict:
    """``layer`` with its stride and, under batch normalization, no biases;
    the keys are spelled out only where they differ from :data:`LAYER_OPTIONS`,
    so that the study's CNN is the same spec as before they existed."""
    layer = dict(layer)
    if strides != 1:
        layer["strides"] = strides
    if batch_norm:
        layer["use_bias"] = False
    return layer


def _normalized(layer: dict, batch_norm: bool, activate: bool = True) -> list[dict]:
    """A convolution and, under batch normalization, the normalization and
    then its activation as layers of their own (convolution, BN, ReLU)."""
    if not batch_norm:
        return [layer]
    activation = layer["activation"]
    layers = [{**layer, "activation": "linear"}, {"type": "batch_norm"}]
    if activate:
        layers.append({"type": "activation", "activation": "relu" if activation == "linear" else activation})
    return layers


def _dropout(rate: float) -> list[dict]:
    return [{"type": "dropout", "rate": float(rate)}] if rate else []


def _softmax(n_classes: int) -> dict:
    return {"type": "dense", "units": int(n_classes), "activation": "softmax"}


def _classifier(n_classes: int) -> list[dict]:
    return [{"type": "flatten"}, _softmax(n_classes)]


#: The study's spectrogram CNN (question 4): conv 32 5x5 'valid', then 'same'.
REFERENCE_CONV_LAYERS = (
    {"filters": 32, "kernel_size": 5, "padding": "valid"},
    {"filters": 32, "kernel_size": 5, "padding": "same"},
)


def cnn_spec(
    input_shape,
    n_classes: int,
    conv_layers,
    pool_size: int,
    batch_norm: bool = False,
    global_pooling: bool = False,
    dense_units=(),
    dropout: float = 0.0,
) -> NetworkSpec:
    """The spectrogram CNN (question 4) on ``(features, time, 1)`` clips.

    ``conv_layers`` is config's ``cnn.conv_layers``: dicts with ``filters``,
    ``kernel_size`` and ``padding`` (and optionally ``strides``,
    ``separable``, ``pool``: :func:`_conv_blocks`); each convolution is
    followed by ReLU and a ``pool_size`` max pool, then flatten and a
    softmax dense layer. The options of the small networks, all off by
    default: ``batch_norm``, ``global_pooling`` (global average pooling
    instead of flatten), ``dense_units`` (hidden ReLU layers before the
    softmax) and ``dropout`` (after each pool and hidden layer).
    """
    layers = _conv_blocks(conv_layers, pool_size, batch_norm, dropout)
    layers.append({"type": "global_avgpool2d"} if global_pooling else {"type": "flatten"})
    for units in dense_units:
        layers.append({"type": "dense", "units": int(units), "activation": "relu"})
        layers += _dropout(dropout)
    layers.append(_softmax(n_classes))
    return _spec("cnn", input_shape, layers)


def lstm_spec(input_shape, n_classes: int, units: int, kernel_initializer: str) -> NetworkSpec:
    """The spectrogram LSTM (question 5) on ``(time, features)`` clips."""
    lstm = {
        "type": "lstm",
        "units": int(units),
        "return_sequences": True,
        "kernel_initializer": kernel_initializer,
    }
    return _spec("lstm", input_shape, [lstm, *_classifier(n_classes)])


def reference_mlp_spec() -> NetworkSpec:
    """Question 1: 128x128x3 flattened -> Dense 100 -> Dense 100 -> Dense 10."""
    hidden = {"type": "dense", "units": 100, "activation": "relu"}
    layers = [{"type": "flatten"}, hidden, dict(hidden), _softmax(IMAGE_CLASSES)]
    return _spec("reference_mlp", IMAGE_SHAPE, layers)


def reference_image_cnn_spec(padding: str) -> NetworkSpec:
    """Question 2: two 5x5x32 convolutions with ``padding``, each pooled 2x2, then Dense 10.

    The study's own figures mix paddings (see :mod:`ascflow.param_check`),
    so both variants exist and the report names the padding behind each
    figure.
    """
    if padding not in PADDINGS:
        raise ValueError(f"padding must be one of {PADDINGS}, got {padding!r}")
    convs = [{"filters": 32, "kernel_size": 5, "padding": padding}] * 2
    return _spec(f"image_cnn_{padding}", IMAGE_SHAPE, [*_conv_blocks(convs, 2), *_classifier(IMAGE_CLASSES)])
