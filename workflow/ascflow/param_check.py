"""Closed form == Keras: the parameter counts, checked two ways.

:func:`compare_with_keras` builds a spec's Keras model and compares every
layer's parameter count and output shape with :mod:`ascflow.params`; the two
computations share nothing but the spec, so agreement checks both.
:func:`parameter_report` does this for every network the report counts and
adds the reference study's figures, with the padding behind each.
"""

from __future__ import annotations

import math
from pathlib import Path

from ascflow import params
from ascflow.errors import AscflowError
from ascflow.models.keras_build import build_model
from ascflow.models.specs import PADDINGS, NetworkSpec, reference_image_cnn_spec

TABLE_COLUMNS = (
    "layer",
    "type",
    "output_shape",
    "weights",
    "biases",
    "params_closed_form",
    "params_keras",
    "multiply_adds",
)


def compare_with_keras(spec: NetworkSpec, model=None) -> list[dict]:
    """Per-layer table with both counts; raise :class:`AscflowError` on any mismatch.

    ``model`` is the Keras model to check (training passes the one it
    trains); by default the spec's is built here.
    """
    model = build_model(spec) if model is None else model
    rows = params.layer_counts(spec)
    keras_names = [layer.name for layer in model.layers]
    closed_names = [row.name for row in rows]
    if keras_names != closed_names:
        raise AscflowError(
            f"{spec.name}: the Keras model has layers {keras_names} but the closed form has {closed_names}."
        )
    table = []
    for row, layer in zip(rows, model.layers, strict=True):
        keras_params = layer.count_params()
        keras_shape = tuple(layer.output.shape[1:])
        if keras_params != row.params:
            raise AscflowError(
                f"{spec.name}: layer {row.name} has {keras_params:,} parameters in Keras "
                f"but {row.params:,} by the closed form."
            )
        if keras_shape != row.output_shape:
            raise AscflowError(
                f"{spec.name}: layer {row.name} outputs {keras_shape} in Keras "
                f"but {row.output_shape} by the closed form."
            )
        table.append(
            {
                "layer": row.name,
                "type": row.type,
                "output_shape": list(row.output_shape),
                "weights": row.weights,
                "biases": row.biases,
                "params_closed_form": row.params,
                "params_keras": keras_params,
                "multiply_adds": row.multiply_adds,
            }
        )
    return table


def write_table(table: list[dict], path: str | Path) -> None:
    """One network's table as TSV, shapes written like ``36x497x32``."""
    lines = ["\t".join(TABLE_COLUMNS)]
    for row in table:
        cells = {**row, "output_shape": "x".join(str(size) for size in row["output_shape"])}
        lines.append("\t".join(str(cells[column]) for column in TABLE_COLUMNS))
    Path(path).write_text("\n".join(lines) + "\n")


def image_cnn_conv1_multiplications() -> dict[str, dict]:
    """The reference image CNN's first convolution, by padding."""
    figures = {}
    for padding in PADDINGS:
        spec = reference_image_cnn_spec(padding)
        conv = params.layer_counts(spec)[0]
        height, width, filters = conv.output_shape
        taps = conv.weights // filters
        figures[padding] = {
            "output_positions": [height, width],
            "taps_per_filter": taps,
            "filters": filters,
            "multiplications": conv.multiply_adds,
            "formula": f"{height} x {width} x {taps} x {filters}",
        }
    return figures


def _flatten_shape(spec: NetworkSpec) -> tuple[int, ...]:
    """The shape a network's flatten layer receives."""
    rows = params.layer_counts(spec)
    index = next(i for i, row in enumerate(rows) if row.type == "flatten")
    return rows[index - 1].output_shape


def reference_notes(multiplications: dict[str, dict]) -> list[str]:
    """What the report must say about the study's image CNN figures, with the numbers."""
    same, valid = reference_image_cnn_spec("same"), reference_image_cnn_spec("valid")
    same_flatten, valid_flatten = _flatten_shape(same), _flatten_shape(valid)
    pooled_sides = [same.input_shape[0]] + [
        row.output_shape[0] for row in params.layer_counts(same) if row.type == "maxpool2d"
    ]
    valid_positions = _times(multiplications["valid"]["output_positions"])
    return [
        f"The study's image CNN figures mix paddings: its flatten size of {math.prod(same_flatten):,} "
        f"({_times(same_flatten)}) and total of {params.total_params(same):,} parameters need 'same' "
        f"padding in both convolutions ({' -> '.join(str(side) for side in pooled_sides)}), "
        f"but its {valid_positions} positions behind {multiplications['valid']['multiplications']:,} "
        f"multiplications in the first convolution are 'valid' padding.",
        f"With 'same' padding the first convolution does {multiplications['same']['formula']} = "
        f"{multiplications['same']['multiplications']:,} multiplications (taps on the zero padding "
        f"counted); with 'valid' padding everywhere the flatten has {_times(valid_flatten)} = "
        f"{math.prod(valid_flatten):,} values and the network {params.total_params(valid):,} parameters.",
        "Multiply-adds (and FLOPs, two per multiply-add) are per clip, forward pass: the products of "
        "convolutions, dense layers and LSTM gates, not biases, activations or pooling.",
    ]


def _times(shape: tuple[int, ...]) -> str:
    return " x ".join(str(size) for size in shape)


def parameter_report(n_features: int, n_frames: int, n_classes: int, **architecture) -> dict:
    """Everything results/params/params.json holds: each network checked, the figures, the notes.

    ``architecture`` is the rest of :func:`ascflow.params.counted_specs`'s arguments.
    """
    specs = params.counted_specs(n_features, n_frames, n_classes, **architecture)
    networks = {}
    for name, spec in specs.items():
        table = compare_with_keras(spec)
        networks[name] = {
            "description": spec.description,
            "input_shape": list(spec.input_shape),
            "layers": table,
            "total_closed_form": sum(row["params_closed_form"] for row in table),
            "total_keras": sum(row["params_keras"] for row in table),
            "forward_flops": params.forward_flops(spec),
        }
    multiplications = image_cnn_conv1_multiplications()
    return {
        "data": {"n_features": n_features, "n_frames": n_frames, "n_classes": n_classes},
        "networks": networks,
        "image_cnn_conv1_multiplications": multiplications,
        "notes": reference_notes(multiplications),
    }
