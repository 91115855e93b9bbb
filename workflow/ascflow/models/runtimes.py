"""The exported forms of a network and the runtimes that run them: the one
module that knows LiteRT and ONNX.

A network bundle holds, beside its Keras model, two files a device runs:

- :data:`INT8_FILE`, LiteRT (TensorFlow Lite) after post-training
  full-integer quantization (:func:`int8_litert`): int8 weights and
  activations, calibrated on a representative set of training clips. Its
  input and output stay float32 (a QUANTIZE op at the input and a
  DEQUANTIZE op at the output convert them), so a caller feeds it the same
  standardized features as the Keras model and reads probabilities. Its
  batch is fixed at one clip (a device classifies one recording at a time;
  a fixed shape is what lets the LSTM convert), and recurrent layers are
  unrolled over time, so every op is a builtin integer op; any op left in
  float is named (:func:`float_ops`).
- :data:`ONNX_FILE`, the float model in ONNX (:func:`onnx_model`, Keras'
  own ``model.export(format="onnx")``, which runs tf2onnx; tf2onnx's
  ``from_keras`` does not read Keras 3 models).

:func:`open_runtime` opens either file (or a ``.keras`` model) as an object
whose ``predict`` gives class probabilities. Neither file format holds code:
LiteRT runs only its builtin ops (a file that needs a custom op is refused
when it is opened) and ONNX Runtime only its own operator sets.
"""

from __future__ import annotations

import contextlib
import io
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from ascflow.errors import AscflowError

RUNTIMES = ("keras", "litert", "onnx")
#: The exported files' names inside a bundle folder.
INT8_FILE = "model_int8.tflite"
ONNX_FILE = "model.onnx"
#: What installs each runtime (and the converters), told to whoever lacks one.
INSTALL = {
    "litert": "pip install ai-edge-litert",
    "onnx": "pip install onnxruntime",
    "onnx-export": "pip install tf2onnx onnx",
}
#: ONNX's operator set the export targets (ONNX Runtime 1.17 and later run it).
ONNX_OPSET = 17
#: Clips the ONNX runtime scores per call (bounds memory like Keras' batches).
ONNX_BATCH = 64
#: Ops that only convert between float and int8 at the model's edges.
_EDGE_OPS = ("QUANTIZE", "DEQUANTIZE")
_RECURRENT = ("LSTM", "GRU", "SimpleRNN")


def _missing(runtime: str, error: ImportError) -> AscflowError:
    return AscflowError(
        f"the {runtime} runtime is not installed ({error.name or error}); install it with "
        f"`{INSTALL[runtime]}`."
    )


def static_copy(model):
    """``model`` rebuilt for a batch of one clip, recurrent layers unrolled,
    with the same weights: the static graph LiteRT's integer ops need (the
    converter cannot quantize Keras 3's LSTM while-loop)."""
    config = model.get_config()
    for layer in config["layers"]:
        if layer["class_name"] == "InputLayer":
            layer["config"]["batch_shape"] = [1, *layer["config"]["batch_shape"][1:]]
        elif layer["class_name"] in _RECURRENT:
            layer["config"]["unroll"] = True
    copy = type(model).from_config(config)
    copy.set_weights(model.get_weights())
    return copy


def _quiet():
    """Keras and the converter print their progress on stdout ("Saved artifact
    at ..."); a rule's log and a user's terminal need none of it."""
    return contextlib.redirect_stdout(io.StringIO())


def int8_litert(model, representative: np.ndarray) -> tuple[bytes, list[str]]:
    """``model`` (Keras) as an int8 LiteRT flatbuffer, and the names of the
    ops left in float (sorted, each once; empty when none).

    ``representative``: clips in the model's input layout, standardized as
    training fed them, ``(n, *input_shape)``; calibration reads each once,
    in order, so the same model and set give the same bytes.
    """
    import tensorflow as tf

    representative = np.asarray(representative, dtype=np.float32)
    expected = tuple(model.input_shape[1:])
    if representative.ndim < 2 or tuple(representative.shape[1:]) != expected or not len(representative):
        raise ValueError(f"representative clips of shape {representative.shape}, model takes {expected}")

    def calibration() -> Iterator[list[np.ndarray]]:
        for clip in representative:
            yield [clip[np.newaxis]]

    with _quiet():
        converter = tf.lite.TFLiteConverter.from_keras_model(static_copy(model))
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.representative_dataset = calibration
        # Integer kernels where one exists, the float builtin where none does.
        converter.target_spec.supported_ops = [
            tf.lite.OpsSet.TFLITE_BUILTINS_INT8,
            tf.lite.OpsSet.TFLITE_BUILTINS,
        ]
        # The calibrator's own quantizer, not the MLIR one: on the unrolled
        # LSTM the MLIR quantizer left some SPLIT ops in float in some runs
        # and not in others (TF 2.21), so the same model gave other bytes.
        converter.experimental_new_quantizer = False
        flatbuffer = converter.convert()
    return flatbuffer, float_ops(flatbuffer)


def _litert_interpreter(threads: int | None = None, **source):
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError as error:
        raise _missing("litert", error) from error
    # The default op resolver applies XNNPACK, with ``num_threads`` threads.
    return Interpreter(num_threads=threads, **source)


def float_ops(flatbuffer: bytes) -> list[str]:
    """The ops of a LiteRT model that compute in float: any op with a float
    input or output, less the QUANTIZE/DEQUANTIZE at its edges."""
    interpreter = _litert_interpreter(model_content=flatbuffer)
    tensors = {detail["index"]: detail for detail in interpreter.get_tensor_details()}
    found = set()
    for op in interpreter._get_ops_details():
        if op["op_name"] in _EDGE_OPS:
            continue
        indices = [i for i in (*op["inputs"], *op["outputs"]) if i >= 0]
        if any(np.issubdtype(tensors[i]["dtype"], np.floating) for i in indices):
            found.add(op["op_name"])
    return sorted(found)


def onnx_model(model) -> bytes:
    """``model`` (Keras) as an ONNX model (float32, any batch size)."""
    try:
        import tf2onnx  # noqa: F401  (Keras' ONNX export runs it)
    except ImportError as error:
        raise _missing("onnx-export", error) from error
    import keras

    spec = keras.InputSpec(shape=(None, *model.input_shape[1:]), dtype="float32", name="clips")
    with tempfile.TemporaryDirectory() as folder, _quiet():
        path = Path(folder) / "model.onnx"
        model.export(
            str(path), format="onnx", verbose=False, input_signature=[spec], opset_version=ONNX_OPSET
        )
        return path.read_bytes()


class KerasRuntime:
    """A ``.keras`` model, loaded in safe mode (no code from the file)."""

    runtime = "keras"

    def __init__(self, path: Path, threads: int | None = None, model=None):
        if model is None:
            import keras

            model = keras.saving.load_model(path, compile=False, safe_mode=True)
        self.model = model
        self.input_shape = tuple(model.input_shape[1:])
        self.n_classes = int(model.output_shape[-1])

    def predict(self, x: np.ndarray) -> np.ndarray:
        from ascflow.models.network import predict

        return np.asarray(predict(self.model, np.asarray(x, dtype=np.float32)), dtype=np.float64)


class LiteRTRuntime:
    """An int8 (or float) LiteRT model in ai-edge-litert's interpreter with
    XNNPACK. A model of fixed batch scores the clips that many at a time; one
    of free batch size is resized to the whole batch."""

    runtime = "litert"

    def __init__(self, path: Path, threads: int | None = None):
        self.interpreter = _litert_interpreter(threads, model_path=str(path))
        self.interpreter.allocate_tensors()
        self._input = self.interpreter.get_input_details()[0]
        self._output = self.interpreter.get_output_details()[0]
        self._batch = int(self._input["shape_signature"][0])
        self.input_shape = tuple(int(n) for n in self._input["shape"][1:])
        self.n_classes = int(self._output["shape"][-1])

    def _run(self, x: np.ndarray) -> np.ndarray:
        detail = self._input
        if detail["dtype"] != np.float32:  # an integer input: quantize with its scale
            scale, zero = detail["quantization"]
            info = np.iinfo(detail["dtype"])
            x = np.clip(np.round(x / scale + zero), info.min, info.max).astype(detail["dtype"])
        self.interpreter.set_tensor(detail["index"], x)
        self.interpreter.invoke()
        y = self.interpreter.get_tensor(self._output["index"])
        if self._output["dtype"] != np.float32:
            scale, zero = self._output["quantization"]
            y = (y.astype(np.float64) - zero) * scale
        return np.array(y, dtype=np.float64)

    def predict(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float32)
        if not len(x):
            return np.zeros((0, self.n_classes))
        if self._batch < 0:  # free batch size: resize to this batch
            if int(self._input["shape"][0]) != len(x):
                self.interpreter.resize_tensor_input(self._input["index"], [len(x), *self.input_shape])
                self.interpreter.allocate_tensors()
                self._input = self.interpreter.get_input_details()[0]
                self._output = self.interpreter.get_output_details()[0]
            return self._run(x)
        step = int(self._input["shape"][0])
        parts = []
        for start in range(0, len(x), step):
            chunk = x[start : start + step]
            n = len(chunk)
            if n < step:  # the last, short chunk: pad and drop
                chunk = np.concatenate([chunk, np.zeros((step - n, *chunk.shape[1:]), np.float32)])
            parts.append(self._run(chunk)[:n])
        return np.concatenate(parts)


class OnnxRuntime:
    """An ONNX model in ONNX Runtime on the CPU."""

    runtime = "onnx"

    def __init__(self, path: Path, threads: int | None = None):
        try:
            import onnxruntime
        except ImportError as error:
            raise _missing("onnx", error) from error
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3  # errors only
        if threads:
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
        self.session = onnxruntime.InferenceSession(
            str(path), sess_options=options, providers=["CPUExecutionProvider"]
        )
        inputs, outputs = self.session.get_inputs(), self.session.get_outputs()
        if len(inputs) != 1 or len(outputs) != 1:
            raise ValueError(f"{len(inputs)} inputs and {len(outputs)} outputs, not one of each")
        self._input = inputs[0].name
        self.input_shape = tuple(inputs[0].shape[1:])
        self.n_classes = outputs[0].shape[-1]

    def predict(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float32)
        parts = [
            self.session.run(None, {self._input: x[start : start + ONNX_BATCH]})[0]
            for start in range(0, len(x), ONNX_BATCH)
        ]
        if not parts:
            return np.zeros((0, self.n_classes))
        return np.asarray(np.concatenate(parts), dtype=np.float64)


def open_runtime(path: str | Path, runtime: str, threads: int | None = None):
    """The model file at ``path`` in ``runtime`` (one of :data:`RUNTIMES`):
    an object with ``predict(x) -> (n, classes)`` float probabilities for
    ``x`` in the model's input layout, ``input_shape`` (without the batch)
    and ``n_classes``. ``threads``: the runtime's CPU threads (None: its
    default). A runtime that is not installed is named with its install
    command; a file the runtime cannot read raises the runtime's own error
    (:mod:`ascflow.models.bundle` turns it into one sentence)."""
    kinds = {"keras": KerasRuntime, "litert": LiteRTRuntime, "onnx": OnnxRuntime}
    if runtime not in kinds:
        raise AscflowError(f"unknown runtime {runtime!r}; choose one of {', '.join(RUNTIMES)}.")
    return kinds[runtime](Path(path), threads)


def probe_inputs(input_shape: tuple[int, ...], n: int = 4, seed: int = 0) -> np.ndarray:
    """``n`` seeded standard-normal clips of ``input_shape`` (standardized
    features' scale): what an export records each model's outputs on, so
    that loading can check a file still computes what was exported."""
    return np.random.default_rng(seed).standard_normal((n, *input_shape)).astype(np.float32)
