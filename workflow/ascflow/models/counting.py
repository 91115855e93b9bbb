"""Closed-form parameter counts, output shapes and multiplications of a spec.

One half of the cross-check: the counts here follow from the textbook
formulas alone, without TensorFlow, and :mod:`ascflow.models.keras_check`
compares them with what Keras builds from the same :class:`NetworkSpec`
(each network training job, on the model it trains; the test suite, on
every network the report counts). The count_parameters rule needs no
TensorFlow, so it costs a fraction of a second instead of a TensorFlow
start-up.

Per layer, with ``cin`` input channels, ``k x k`` kernels and an input
dimension ``D``:

* Conv2D: ``k*k*cin*filters`` weights and ``filters`` biases (none
  before a batch normalization); 'valid' shrinks each side by ``k - 1``,
  'same' keeps it, and a stride ``s`` divides it (rounding up 'same').
* DepthwiseConv2D: one ``k x k`` kernel per input channel, ``k*k*cin``
  weights and ``cin`` biases (or none); the channels stay ``cin``.
* BatchNormalization: a scale, an offset, a moving mean and a moving
  variance per channel, ``4*channels``, as Keras counts them (two of them
  trainable); no multiply-accumulates, as an exported model folds them into
  the convolution before them.
* MaxPool2D, GlobalAveragePooling2D, Flatten, Activation, Dropout: no
  parameters, and no multiply-accumulates (comparisons and additions).
* Dense: ``D*units`` weights and ``units`` biases (on the last axis).
* LSTM: four gates, each with a kernel ``D x units``, a recurrent kernel
  ``units x units`` and a bias, so ``4*(units*(D+units) + units)``; the
  count does not depend on ``return_sequences``, only the output shape does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ascflow.models.settings import CnnArchitecture, LstmArchitecture
from ascflow.models.specs import (
    PADDINGS,
    NetworkSpec,
    layer_names,
    layer_output_shapes,
    option,
    output_shape,
    reference_image_cnn_spec,
    reference_mlp_spec,
)

#: The networks the count_parameters rule reports, one table each.
COUNTED_NETWORKS = ("reference_mlp", "image_cnn_same", "image_cnn_valid", "cnn", "lstm")


@dataclass(frozen=True)
class LayerCount:
    """One row of a network's closed-form table."""

    name: str
    type: str
    output_shape: tuple[int, ...]
    weights: int
    biases: int
    multiply_adds: int  # per clip, forward pass; see multiply_adds()

    @property
    def params(self) -> int:
        return self.weights + self.biases


def weights_and_biases(layer: dict, input_shape: tuple[int, ...]) -> tuple[int, int]:
    kind = layer["type"]
    if kind == "conv2d":
        kernel = layer["kernel_size"] ** 2 * input_shape[-1]
        return kernel * layer["filters"], layer["filters"] if option(layer, "use_bias") else 0
    if kind == "depthwise_conv2d":
        channels = input_shape[-1]
        return layer["kernel_size"] ** 2 * channels, channels if option(layer, "use_bias") else 0
    if kind == "batch_norm":
        return 4 * input_shape[-1], 0
    if kind == "dense":
        return input_shape[-1] * layer["units"], layer["units"]
    if kind == "lstm":
        units = layer["units"]
        return 4 * units * (input_shape[-1] + units), 4 * units
    return 0, 0


def conv_multiplications(layer: dict, input_shape: tuple[int, ...]) -> int:
    """Scalar multiplications of one Conv2D layer on one input.

    Output positions x taps per filter (``k*k*cin``) x filters. With 'same'
    padding every output position counts all its taps, the ones that fall on
    the zero padding included, as a plain implementation computes them:
    the reference image CNN's first layer does 124*124*75*32 = 36,902,400
    multiplications 'valid' and 128*128*75*32 = 39,321,600 'same'. A
    stride counts only the positions it visits.
    """
    if layer["type"] != "conv2d":
        raise ValueError(f"conv_multiplications needs a conv2d layer, got {layer['type']!r}")
    height, width, filters = output_shape(layer, input_shape)
    return height * width * layer["kernel_size"] ** 2 * input_shape[-1] * filters


def multiply_adds(layer: dict, input_shape: tuple[int, ...]) -> int:
    """Multiply-adds of one layer's forward pass on one input.

    Counted: the products of convolutions (depthwise ones too), dense layers
    and the LSTM's four gate matrices (input and recurrent, at every time
    step). Not counted: bias additions, activations, pooling comparisons,
    the averages of global pooling, batch normalization (folded into the
    convolution before it on export) and the LSTM's element-wise gate
    products, which are small beside the matrix products.
    """
    kind = layer["type"]
    if kind == "conv2d":
        return conv_multiplications(layer, input_shape)
    if kind == "depthwise_conv2d":
        # Each output position of each channel: one k x k kernel's taps.
        return math.prod(output_shape(layer, input_shape)) * layer["kernel_size"] ** 2
    weights, _ = weights_and_biases(layer, input_shape)
    if kind == "dense":
        return math.prod(input_shape[:-1]) * weights  # applied at every position before the last axis
    if kind == "lstm":
        return input_shape[0] * weights  # once per time step
    return 0


def layer_counts(spec: NetworkSpec) -> list[LayerCount]:
    """The closed-form table of ``spec``: one row per layer, in order."""
    rows = []
    input_shape = spec.input_shape
    for name, layer, shape in zip(layer_names(spec), spec.layers, layer_output_shapes(spec), strict=True):
        weights, biases = weights_and_biases(layer, input_shape)
        rows.append(
            LayerCount(name, layer["type"], shape, weights, biases, multiply_adds(layer, input_shape))
        )
        input_shape = shape
    return rows


#: The columns of a network's closed-form table (results/params/<network>.tsv).
TABLE_COLUMNS = (
    "layer",
    "type",
    "output_shape",
    "weights",
    "biases",
    "params_closed_form",
    "multiply_adds",
)


def table_row(row: LayerCount) -> dict:
    """One row of :data:`TABLE_COLUMNS`."""
    return {
        "layer": row.name,
        "type": row.type,
        "output_shape": list(row.output_shape),
        "weights": row.weights,
        "biases": row.biases,
        "params_closed_form": row.params,
        "multiply_adds": row.multiply_adds,
    }


def closed_form_table(spec: NetworkSpec) -> list[dict]:
    """:func:`layer_counts` as rows of :data:`TABLE_COLUMNS`."""
    return [table_row(row) for row in layer_counts(spec)]


def total_params(spec: NetworkSpec) -> int:
    return sum(row.params for row in layer_counts(spec))


def multiply_accumulates(spec: NetworkSpec) -> int:
    """Multiply-accumulates of one clip's forward pass (:func:`multiply_adds`, summed)."""
    return sum(row.multiply_adds for row in layer_counts(spec))


def forward_flops(spec: NetworkSpec) -> int:
    """Floating-point operations of one clip's forward pass: 2 per multiply-add.

    Covers convolutions, dense layers and LSTMs as :func:`multiply_adds`
    counts them; a benchmark divides it by the measured time per clip.
    """
    return 2 * multiply_accumulates(spec)


def counted_specs(
    n_features: int, n_frames: int, n_classes: int, cnn: CnnArchitecture, lstm: LstmArchitecture
) -> dict[str, NetworkSpec]:
    """The reference's image networks and the CNN and LSTM for the data at hand, by name."""
    specs = [
        reference_mlp_spec(),
        reference_image_cnn_spec("same"),
        reference_image_cnn_spec("valid"),
        cnn.spec((n_features, n_frames, 1), n_classes),
        lstm.spec((n_frames, n_features), n_classes),
    ]
    return {spec.name: spec for spec in specs}


# ---- the complexity budget ------------------------------------------------------

#: Bytes one parameter takes at each storage type the report states.
PARAMETER_BYTES = {"float32": 4, "int8": 1}
#: DCASE counts parameter memory in KB of 1,024 bytes (128 KB: 131,072 bytes).
KILOBYTE = 1024
#: The hop assumed between the frames of array data, which records none: the
#: reference's (and the DCASE 2017 baseline's) 20 ms, so that its 501 frames
#: are 10 s of audio.
ARRAY_HOP_S = 0.02


def clip_seconds(n_frames: int, audio_clip_s: float | None = None) -> tuple[float, str]:
    """The audio a clip covers, and what says so: ``"audio"`` (the clip
    length recordings were cut to) or ``"frames"`` (array data: the frames'
    hops at :data:`ARRAY_HOP_S`, 500 hops of 20 ms for 501 centred frames)."""
    if audio_clip_s is not None:
        return float(audio_clip_s), "audio"
    return max(n_frames - 1, 1) * ARRAY_HOP_S, "frames"


def complexity(parameters: int, macs_per_clip: int, seconds: float, limits: dict) -> dict:
    """A model's size and cost against ``limits`` (the config's
    ``complexity_limits``: ``parameter_memory_kb`` and ``macs_per_second``):
    its parameter memory at float32 and at int8, its multiply-accumulates
    per clip and per second of audio, and whether each fits."""
    memory = {kind: parameters * size / KILOBYTE for kind, size in PARAMETER_BYTES.items()}
    per_second = macs_per_clip / seconds
    return {
        "parameters": int(parameters),
        **{f"memory_kb_{kind}": kb for kind, kb in memory.items()},
        "macs_per_clip": int(macs_per_clip),
        "macs_per_second": per_second,
        **{f"fits_memory_{kind}": kb <= limits["parameter_memory_kb"] for kind, kb in memory.items()},
        "fits_macs": per_second <= limits["macs_per_second"],
    }


def flatten_input_shape(spec: NetworkSpec) -> tuple[int, ...]:
    """The shape a network's flatten layer receives."""
    rows = layer_counts(spec)
    index = next(i for i, row in enumerate(rows) if row.type == "flatten")
    return rows[index - 1].output_shape


def image_cnn_conv1_multiplications() -> dict[str, dict]:
    """The reference image CNN's first convolution, by padding: its output
    positions, taps per filter, filters and their product."""
    figures = {}
    for padding in PADDINGS:
        conv = layer_counts(reference_image_cnn_spec(padding))[0]
        height, width, filters = conv.output_shape
        figures[padding] = {
            "output_positions": [height, width],
            "taps_per_filter": conv.weights // filters,
            "filters": filters,
            "multiplications": conv.multiply_adds,
        }
    return figures
