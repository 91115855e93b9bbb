"""Parameter memory of an exported LiteRT (``.tflite``) model, in bytes by
each stored value's data type, as DCASE's ``complexity.py`` counts it.

The file is read as data, through LiteRT's flatbuffer schema: nothing in it
runs. A *parameter* is a value of a constant tensor (one whose buffer holds
data) that a layer computes with: a weight or a bias, at the type it is
stored in (int8 weights 1 byte, the int32 biases of int8 layers 4 bytes,
float32 4, float16 2). Left out: activations (tensors without data), the
quantization parameters (scales and zero points, metadata of a tensor) and
integer constants that carry no quantization, which are shapes, axes and
indices (a flatten's target shape), not learnt values.

Each tensor is counted once per parameter, as the network's layers hold
them: the converter stores identical constants once (two all-zero bias
vectors share one buffer), which a count of the layers' parameters does not
know of, so the file may be a little smaller than the count.

An LSTM converts (unrolled over its time steps, as
:func:`ascflow.models.runtimes.int8_litert` exports it) to int8
``FULLY_CONNECTED`` ops that every step shares: its input kernel and its
recurrent kernel are one int8 tensor each, as in Keras; its bias is stored
twice, as the int32 bias of the first step's fused op and as an int8
operand of the ``ADD`` of the later steps, so the file holds ``4 * units``
values more than Keras counts. The count here is the file's.
"""

from __future__ import annotations

import math
from pathlib import Path

from ascflow.errors import AscflowError
from ascflow.models.counting import KILOBYTE

#: Bytes per stored value, by LiteRT tensor type name.
TYPE_BYTES = {
    "FLOAT32": 4,
    "FLOAT16": 2,
    "BFLOAT16": 2,
    "FLOAT64": 8,
    "INT8": 1,
    "UINT8": 1,
    "INT16": 2,
    "UINT16": 2,
    "INT32": 4,
    "UINT32": 4,
    "INT64": 8,
    "UINT64": 8,
    "INT4": 0.5,
    "UINT4": 0.5,
}
#: Integer types whose unquantized constants are shapes and indices.
INDEX_TYPES = {"INT32", "INT64"}
#: The operators that only convert between float and integer at the edges.
CONVERSION_OPS = {"QUANTIZE", "DEQUANTIZE"}
#: Float types: an operator computing in one of them is left in float.
FLOAT_TYPES = {"FLOAT32", "FLOAT16", "BFLOAT16", "FLOAT64"}


def _schema():
    from ai_edge_litert import schema_py_generated

    return schema_py_generated


def _names(enum: type) -> dict[int, str]:
    return {value: name for name, value in vars(enum).items() if not name.startswith("_")}


def read_model(source: str | Path | bytes):
    """A ``.tflite`` file (its path or its bytes) as LiteRT's schema objects;
    one sentence naming the file where it is not one."""
    schema = _schema()
    label = "the model" if isinstance(source, bytes) else str(source)
    try:
        data = source if isinstance(source, bytes) else Path(source).read_bytes()
    except OSError as error:
        raise AscflowError(f"{label}: cannot be read ({error.strerror or error}).") from error
    if len(data) < 8 or not schema.Model.ModelBufferHasIdentifier(data, 0):
        raise AscflowError(f"{label}: is not a LiteRT (.tflite) model.")
    try:
        return schema.ModelT.InitFromPackedBuf(data, 0), data
    except Exception as error:  # flatbuffers' error on a damaged file
        raise AscflowError(f"{label}: is a damaged LiteRT model ({type(error).__name__}).") from error


def _is_quantized(tensor) -> bool:
    quantization = tensor.quantization
    return quantization is not None and quantization.scale is not None and len(quantization.scale) > 0


def _holds_data(model, tensor, data: bytes) -> bool:
    if tensor.buffer <= 0 or tensor.buffer >= len(model.buffers):
        return False
    buffer = model.buffers[tensor.buffer]
    in_line = buffer.data is not None and len(buffer.data) > 0
    appended = buffer.offset > 1 and buffer.size > 0  # models over 2 GB keep data after the flatbuffer
    return in_line or appended


def constant_parameters(source: str | Path | bytes) -> list[dict]:
    """Every parameter tensor of the model: its name, type, shape, values
    and bytes, in the order of the subgraphs' tensors."""
    model, data = read_model(source)
    types = _names(_schema().TensorType)
    tensors = []
    for subgraph in model.subgraphs or []:
        for tensor in subgraph.tensors or []:
            if tensor.isVariable or not _holds_data(model, tensor, data):
                continue
            kind = types.get(tensor.type, str(tensor.type))
            if kind in INDEX_TYPES and not _is_quantized(tensor):
                continue
            if kind not in TYPE_BYTES:
                raise AscflowError(
                    f"{source if not isinstance(source, bytes) else 'the model'}: holds a constant tensor "
                    f"of type {kind}, whose size per value this count does not know."
                )
            shape = [int(size) for size in tensor.shape] if tensor.shape is not None else []
            values = math.prod(shape)
            tensors.append(
                {
                    "name": tensor.name.decode() if isinstance(tensor.name, bytes) else str(tensor.name),
                    "dtype": kind.lower(),
                    "shape": shape,
                    "parameters": int(values),
                    "bytes": math.ceil(values * TYPE_BYTES[kind]),
                }
            )
    return tensors


def parameter_memory(source: str | Path | bytes) -> dict:
    """The model's parameters and their memory: in all (``parameters``,
    ``bytes``, ``kb`` of :data:`~ascflow.models.counting.KILOBYTE` bytes) and
    by data type (``by_dtype``: parameters and bytes of each); and the
    file's own size (``file_bytes``: the parameters and the graph, which
    grows with an unrolled LSTM's steps)."""
    by_dtype: dict[str, dict] = {}
    _, data = read_model(source)
    tensors = constant_parameters(data if isinstance(source, bytes) else source)
    for tensor in tensors:
        entry = by_dtype.setdefault(tensor["dtype"], {"parameters": 0, "bytes": 0})
        entry["parameters"] += tensor["parameters"]
        entry["bytes"] += tensor["bytes"]
    total = sum(entry["bytes"] for entry in by_dtype.values())
    return {
        "parameters": sum(entry["parameters"] for entry in by_dtype.values()),
        "bytes": total,
        "kb": total / KILOBYTE,
        "by_dtype": dict(sorted(by_dtype.items())),
        "tensors": len(tensors),
        "file_bytes": len(data),
    }


def float_operators(source: str | Path | bytes) -> list[str]:
    """The operators of the model that compute in float (any float input
    or output), by name, sorted and once each; the QUANTIZE and DEQUANTIZE
    at a model's float edges are not counted: they are the conversion."""
    model, _ = read_model(source)
    schema = _schema()
    types, operators = _names(schema.TensorType), _names(schema.BuiltinOperator)
    found = set()
    for subgraph in model.subgraphs or []:
        tensors = subgraph.tensors or []
        for operator in subgraph.operators or []:
            code = model.operatorCodes[operator.opcodeIndex]
            builtin = max(code.builtinCode, code.deprecatedBuiltinCode)
            name = operators.get(builtin, str(builtin))
            if name == "CUSTOM" and code.customCode:
                name = (
                    code.customCode.decode() if isinstance(code.customCode, bytes) else str(code.customCode)
                )
            if name in CONVERSION_OPS:
                continue
            indices = [*(operator.inputs if operator.inputs is not None else []), *operator.outputs]
            if any(index >= 0 and types.get(tensors[index].type) in FLOAT_TYPES for index in indices):
                found.add(name)
    return sorted(found)
