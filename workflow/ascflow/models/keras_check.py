"""Closed form == Keras: a network's parameter counts, checked two ways.

:func:`compare_with_keras` builds a spec's Keras model and compares every
layer's parameter count and output shape with :mod:`ascflow.models.counting`;
the two computations share nothing but the spec, so agreement checks both.
"""

from __future__ import annotations

from ascflow.errors import AscflowError
from ascflow.models import counting
from ascflow.models.keras_build import build_model
from ascflow.models.specs import NetworkSpec


def compare_with_keras(spec: NetworkSpec, model=None) -> list[dict]:
    """The closed-form table (:func:`counting.closed_form_table`) with Keras's
    count of each layer added as ``params_keras``; raise
    :class:`AscflowError` on any mismatch.

    ``model`` is the Keras model to check (training passes the one it
    trains); by default the spec's is built here.
    """
    model = build_model(spec) if model is None else model
    rows = counting.layer_counts(spec)
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
        table.append({**counting.table_row(row), "params_keras": keras_params})
    return table
