"""Parameter counts: each network's layers counted in closed form beside
Keras's count, and what the study's image CNN figures mix up.
"""

from __future__ import annotations

import math

from ascflow.report import reference
from ascflow.report.blocks import Block, Bullets, Heading, Paragraph, Table
from ascflow.report.sections.formatting import NOT_APPLICABLE, count_text


def shape_text(shape: list[int] | None, times: str = "×") -> str:
    """``124 × 124 × 32``; with ``times="x"`` as the image CNN notes write their products."""
    return f" {times} ".join(str(size) for size in shape or [])


def _flatten_input(network: dict) -> list[int]:
    """The shape a counted network's flatten layer receives."""
    layers = network["layers"]
    index = next(i for i, layer in enumerate(layers) if layer["type"] == "flatten")
    return layers[index - 1]["output_shape"] if index else network["input_shape"]


def multiplication_formula(figures: dict) -> str:
    """``124 x 124 x 75 x 32``: output positions x taps per filter x filters."""
    return shape_text([*figures["output_positions"], figures["taps_per_filter"], figures["filters"]], "x")


def image_cnn_notes(parameters: dict) -> list[str]:
    """What the report must say about the study's image CNN figures, with the
    numbers, from the parameter counts (params.json)."""
    networks, multiplications = parameters["networks"], parameters["image_cnn_conv1_multiplications"]
    if not {"image_cnn_same", "image_cnn_valid"} <= set(networks) or not {"same", "valid"} <= set(
        multiplications
    ):
        return []
    same, valid = networks["image_cnn_same"], networks["image_cnn_valid"]
    same_flatten, valid_flatten = _flatten_input(same), _flatten_input(valid)
    pooled_sides = [same["input_shape"][0]] + [
        layer["output_shape"][0] for layer in same["layers"] if layer["type"] == "maxpool2d"
    ]
    same_conv, valid_conv = multiplications["same"], multiplications["valid"]
    return [
        f"The study's image CNN figures mix paddings: its flatten size of {math.prod(same_flatten):,} "
        f"({shape_text(same_flatten, 'x')}) and total of {same['total_closed_form']:,} parameters "
        f"need 'same' padding in both convolutions ({' -> '.join(str(side) for side in pooled_sides)}), "
        f"but its {shape_text(valid_conv['output_positions'], 'x')} positions behind "
        f"{valid_conv['multiplications']:,} multiplications in the first convolution are 'valid' padding.",
        f"With 'same' padding the first convolution does {multiplication_formula(same_conv)} = "
        f"{same_conv['multiplications']:,} multiplications (taps on the zero padding "
        f"counted); with 'valid' padding everywhere the flatten has {shape_text(valid_flatten, 'x')} = "
        f"{math.prod(valid_flatten):,} values and the network {valid['total_closed_form']:,} parameters.",
        "Multiply-adds (and FLOPs, two per multiply-add) are per clip, forward pass: the products of "
        "convolutions, dense layers and LSTM gates, not biases, activations or pooling.",
    ]


def network_table(name: str, network: dict) -> Table:
    rows = tuple(
        (
            layer["layer"],
            layer["type"],
            shape_text(layer["output_shape"]),
            count_text(layer["weights"]),
            count_text(layer["biases"]),
            count_text(layer["params_closed_form"]),
            count_text(layer.get("params_keras")),
            count_text(layer.get("multiply_adds")),
        )
        for layer in network["layers"]
    )
    total = (
        "network",
        "",
        "",
        "",
        "",
        count_text(network["total_closed_form"]),
        count_text(network.get("total_keras")),
    )
    multiply_adds = [layer.get("multiply_adds") for layer in network["layers"]]
    total += (count_text(sum(multiply_adds)) if None not in multiply_adds else NOT_APPLICABLE,)
    caption = f"Input {shape_text(network['input_shape'])}."
    if network.get("keras_model"):
        caption += f" Keras: the trained model {network['keras_model']}'s own counts."
    else:
        caption += " Keras: no run trains this network; the test suite checks its Keras counts."
    reference_total = reference.PARAMETERS.get(name)
    if reference_total is not None:
        agreement = (
            "the same"
            if reference_total == network["total_closed_form"]
            else "different, as its input or classes differ from the reference's"
        )
        caption += f" The reference's count: {reference_total:,} ({agreement})."
    return Table(
        ("layer", "type", "output shape", "weights", "biases", "parameters", "Keras", "multiply-adds"),
        rows + (total,),
        align="LLRRRRRR",
        widths=(1.7, 1.4, 1.8, 1.5, 1.1, 1.5, 1.5, 1.8),
        caption=caption,
    )


def parameter_blocks(parameters: dict) -> list[Block]:
    blocks: list[Block] = [
        Heading("Parameter counts"),
        Paragraph(
            "Each network is counted in closed form from its specification (parameters). The Keras "
            "column is Keras's count of the model this run trained, which its training job checked "
            "against the closed form layer by layer before training. Each description states the "
            "padding of every convolution. Multiply-adds are per clip, forward pass."
        ),
    ]
    for name, network in parameters["networks"].items():
        blocks += [Heading(f"{name}: {network['description']}", level=2), network_table(name, network)]
    multiplications = parameters["image_cnn_conv1_multiplications"]
    if multiplications:
        blocks += [
            Heading("Multiplications of the image CNN's first convolution", level=2),
            Table(
                ("padding", "multiplications", "formula", ""),
                tuple(
                    (
                        padding,
                        count_text(figures["multiplications"]),
                        multiplication_formula(figures),
                        "the reference's figure"
                        if padding == reference.FIRST_CONV_PADDING
                        and figures["multiplications"] == reference.FIRST_CONV_MULTIPLICATIONS
                        else "",
                    )
                    for padding, figures in multiplications.items()
                ),
                align="LRLL",
                widths=(1.0, 1.6, 2.4, 2.4),
            ),
        ]
    notes = image_cnn_notes(parameters)
    if notes:
        blocks.append(Bullets(tuple(notes)))
    return blocks
