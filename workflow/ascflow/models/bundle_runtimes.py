"""A network bundle's exported runtimes (format version 2): the int8 LiteRT
and ONNX models written beside the Keras model at export, and checked on
opening against what cannot be forged without the Keras model (the
reasons are :mod:`ascflow.models.bundle`'s docstring's). The runtimes
themselves are :mod:`ascflow.models.runtimes`'.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ascflow.errors import AscflowError
from ascflow.models.runtimes import (
    INT8_FILE,
    ONNX_FILE,
    KerasRuntime,
    int8_litert,
    onnx_model,
    open_runtime,
    probe_inputs,
)

#: A network's exported runtimes and their files (format version 2).
RUNTIME_FILES = {"litert": INT8_FILE, "onnx": ONNX_FILE}
RUNTIME_NAMES = {"keras": "Keras model", "litert": "int8 LiteRT model", "onnx": "ONNX model"}
#: The seeded clips each runtime's probabilities are recorded for and checked on.
PROBE_CLIPS = 16
PROBE_SEED = 0
#: How far an exported model's probe probabilities may stray, as total
#: variation distances (half the L1 distance) of a probe clip's
#: probabilities: from those its export recorded (the same file; LiteRT's
#: kernels may round an int8 step otherwise on another CPU), the largest
#: over the probes; and from the Keras model's. ONNX computes in float32 as
#: Keras does: the largest. int8 rounds every weight and activation, and the
#: probes are seeded noise, not recordings: a sharp network's int8 model
#: can move a noise clip's probabilities far (the reference-size LSTM, 50
#: epochs: 0.04-0.49 over 16 probes, mean 0.28, where on training clips the
#: mean was 0.03), so the int8 model is held to the mean over the probes.
RECORDED_TOLERANCE = {"litert": 0.02, "onnx": 1e-4}
ONNX_TOLERANCE = 1e-3
INT8_TOLERANCE = 0.4


def export_runtimes(
    folder: Path, model, model_file: str, input_shape: list[int], representative: np.ndarray
) -> tuple[dict[str, dict], list]:
    """Write the int8 LiteRT and the ONNX model of the Keras ``model``
    (``folder``'s ``model_file``) beside it; return what the manifest
    records of each (its file, its probabilities for the probe clips, and
    for the int8 model the ops left in float and the number of clips that
    calibrated it), and the Keras model's probabilities for the probe
    clips. Each is checked against the Keras model as loading will check
    it."""
    representative = np.asarray(representative, dtype=np.float32)
    if tuple(representative.shape[1:]) != tuple(input_shape):
        raise ValueError(f"representative clips of shape {representative.shape}, model takes {input_shape}")
    flatbuffer, float_names = int8_litert(model, representative)
    (folder / INT8_FILE).write_bytes(flatbuffer)
    (folder / ONNX_FILE).write_bytes(onnx_model(model))
    probe = probe_inputs(tuple(input_shape), PROBE_CLIPS, PROBE_SEED)
    expected = KerasRuntime(folder / model_file, model=model).predict(probe)
    runtimes = {}
    for runtime, name in RUNTIME_FILES.items():
        outputs = open_runtime(folder / name, runtime).predict(probe)
        check_against_keras(folder / name, runtime, outputs, expected)
        runtimes[runtime] = {"file": name, "probe_outputs": outputs.round(6).tolist()}
    runtimes["litert"] |= {"float_ops": float_names, "representative_clips": len(representative)}
    return runtimes, expected.round(6).tolist()


def _distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The total variation distance between each row of probabilities."""
    return 0.5 * np.abs(np.asarray(a) - np.asarray(b)).sum(axis=1)


def _distance(a: np.ndarray, b: np.ndarray) -> float:
    """The largest total variation distance between rows of probabilities."""
    return float(_distances(a, b).max())


def check_against_keras(path: Path, runtime: str, outputs: np.ndarray, expected: np.ndarray) -> None:
    """The exported model must compute what the Keras model does on the
    probe clips: the int8 model on average (:data:`INT8_TOLERANCE`), the
    ONNX model on every clip."""
    if runtime == "litert":
        distance, tolerance, how = float(_distances(outputs, expected).mean()), INT8_TOLERANCE, "on average"
    else:
        distance, tolerance, how = _distance(outputs, expected), ONNX_TOLERANCE, "at most"
    if not distance <= tolerance:
        raise AscflowError(
            f"{path}: its {RUNTIME_NAMES[runtime]} disagrees with the bundle's Keras model on the probe "
            f"clips (probabilities {distance:.3g} apart {how}, {tolerance:g} allowed), so it is not "
            "the model the bundle holds; export it again."
        )


def failure_reason(error: Exception) -> str:
    """A library's error in a few words: its type and its first line."""
    reason = str(error).strip().splitlines()[0].rstrip(".") if str(error).strip() else ""
    return f"{type(error).__name__}{': ' + reason if reason else ''}"


def recorded_keras_outputs(manifest: dict) -> np.ndarray | None:
    """The Keras model's probe probabilities the export recorded (bundles
    exported since round four); None where the manifest has none."""
    recorded = (manifest.get("probe") or {}).get("keras_outputs")
    return None if recorded is None else np.asarray(recorded, dtype=np.float64)


def open_exported(folder: Path, manifest: dict, runtime: str, model=None, threads: int | None = None):
    """The bundle's ``runtime`` model opened, once it takes the manifest's
    input, gives a probability per class, reproduces its recorded probe
    outputs and agrees with the Keras model on them: with the Keras
    ``model``'s own outputs where it is given (loading it costs
    TensorFlow's start), otherwise with those the export recorded of it."""
    path = folder / RUNTIME_FILES[runtime]
    name = RUNTIME_NAMES[runtime]
    try:
        runner = open_runtime(path, runtime, threads)
    except AscflowError:
        raise
    except Exception as error:  # the runtime's error on a file it cannot read
        raise AscflowError(f"{path}: cannot be loaded as an {name} ({failure_reason(error)}).") from error
    expected_shape = tuple(manifest["input_shape"])
    n_classes = len(manifest["class_names"])
    if runner.input_shape != expected_shape or runner.n_classes != n_classes:
        raise AscflowError(
            f"{path}: takes inputs of shape {runner.input_shape} and gives {runner.n_classes} outputs, not "
            f"the {expected_shape} and {n_classes} classes its manifest records."
        )
    probe_record = manifest.get("probe") or {}
    probe = probe_inputs(
        expected_shape, probe_record.get("clips", PROBE_CLIPS), probe_record.get("seed", PROBE_SEED)
    )
    try:
        outputs = runner.predict(probe)
    except Exception as error:  # a file that loads but does not run
        raise AscflowError(f"{path}: cannot run as an {name} ({failure_reason(error)}).") from error
    recorded = np.asarray(manifest["runtimes"][runtime].get("probe_outputs"), dtype=np.float64)
    if recorded.shape != outputs.shape or not _distance(outputs, recorded) <= RECORDED_TOLERANCE[runtime]:
        raise AscflowError(
            f"{path}: does not compute the probabilities its export recorded for the probe clips (changed "
            "since it was exported); export it again."
        )
    keras_outputs = (
        recorded_keras_outputs(manifest) if model is None else KerasRuntime(path, model=model).predict(probe)
    )
    if keras_outputs is None or keras_outputs.shape != outputs.shape:
        raise AscflowError(
            f"{folder}: its manifest records no probabilities of the Keras model for the probe clips, so "
            f"its {name} cannot be checked; export it again."
        )
    check_against_keras(path, runtime, outputs, keras_outputs)
    return runner
