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
        "convolutions (depthwise ones too), dense layers and LSTM gates, not biases, activations, pooling "
        "or batch normalization (4 parameters per channel, folded into the convolution before it on export).",
    ]


def network_table(name: str, network: dict, study: bool = True) -> Table:
    """A network's layers counted; with ``study`` the caption sets the
    reference's count of the network beside its own."""
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
    reference_total = reference.PARAMETERS.get(name) if study else None
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
        caption=caption,
    )


def trained_networks(parameters: dict, runs: list[dict]) -> list[str]:
    """The counted networks of the families this run trained (cnn, lstm),
    not the study's image networks that no run trains."""
    families = {run["family"] for run in runs}
    return [name for name in parameters["networks"] if name in families]


def network_blocks(parameters: dict, names: list[str], study: bool = True) -> list[Block]:
    """A subsection per named network: its description and its table."""
    blocks: list[Block] = []
    for name in names:
        network = parameters["networks"][name]
        blocks += [
            Heading(f"{name}: {network['description']}", level=2),
            network_table(name, network, study),
        ]
    return blocks


def image_cnn_blocks(parameters: dict) -> list[Block]:
    """The study's image CNN: its first convolution's multiplications by
    padding, and what its figures mix up."""
    blocks: list[Block] = []
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
            ),
        ]
    notes = image_cnn_notes(parameters)
    if notes:
        blocks.append(Bullets(tuple(notes)))
    return blocks


COUNTING = (
    "Each network is counted in closed form from its specification (parameters). The Keras "
    "column is Keras's count of the model this run trained, which its training job checked "
    "against the closed form layer by layer before training. Each description states the "
    "padding of every convolution. Multiply-adds are per clip, forward pass."
)


def parameter_blocks(parameters: dict, runs: list[dict], study: bool = True) -> list[Block]:
    """Every counted network with the study's figures beside them (``study``:
    the built-in data); on a user's own data, the networks this run trained
    only, the study's image networks going to the appendix."""
    names = list(parameters["networks"]) if study else trained_networks(parameters, runs)
    if not names and not study:
        return []
    blocks: list[Block] = [Heading("Parameter counts"), Paragraph(COUNTING)]
    blocks += network_blocks(parameters, names, study)
    if study:
        blocks += image_cnn_blocks(parameters)
    return blocks
