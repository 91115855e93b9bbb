"""A trained model as a bundle that travels: the model, and everything
prediction needs to prepare a recording or a clip exactly as training did.

``results/export/<model>/``::

    model.keras | model.skops     the network (Keras) or the forest (skops)
    model_int8.tflite             a network's int8 LiteRT model  } (format version 2,
    model.onnx                    a network's ONNX model         }  networks only)
    manifest.json                 what the model reads, and each file's SHA-256

The manifest (:data:`FORMAT`, version :data:`FORMAT_VERSION`) holds facts
only: the model's name and family, the class names in output order, the
clip shape (features x frames) and the model's input shape, the feature
layout, the LSTM's time-major view, the standardization (the training set's
band statistics as validation recorded them), the audio extraction when the
data came from recordings (the settings and :data:`ascflow.data.audio.FRONT_END`),
the data fingerprint and settings digest of the training, and the versions
that wrote it. From version 2, a network's manifest also records its
exported runtimes (:mod:`ascflow.models.runtimes`): each file, the int8
model's ops left in float and the number of training clips that calibrated
it, and each runtime's class probabilities for a few seeded probe clips.
Version 1 bundles (the Keras model only) are still read and run in Keras.

Bundles travel between people, so loading one runs no code from it: Keras
models load in safe mode (no lambdas, no custom objects), forests are in
skops' format and load with an explicit list of trusted types, never as a
pickle; the LiteRT and ONNX files hold no code (LiteRT runs only its
builtin ops, ONNX Runtime only its operator sets). A bundle whose files do
not match their digests, of a format version this code cannot read, or made
by another audio front-end, is refused in one sentence naming it.

An exported file whose digest in the manifest was rewritten to match a
changed file (forged) passes the digest check, so a runtime's file is also
checked against the Keras model: opened, it must take the manifest's input
shape and give one probability per class, reproduce the probe outputs its
export recorded, and agree with the Keras model's probe outputs: the ONNX
model within float rounding, the int8 model within a mean total variation
distance of 0.4 over the probes (:mod:`ascflow.models.bundle_runtimes`, which writes and
opens them). Those Keras outputs are the ones the export recorded
(:func:`needs_tensorflow`: an exported model then runs without starting
TensorFlow); bundles exported before they were recorded load the Keras
model to compute them. A forger who rewrites a file and every record has
made another bundle, which no check inside a bundle can tell apart.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np

from ascflow.data.audio import FRONT_END, AudioSettings, audio_settings
from ascflow.errors import AscflowError
from ascflow.features import layout_shape, standardize_clips, to_layout
from ascflow.files import atomic_folder, file_digest, read_json, write_json
from ascflow.models.bundle_runtimes import (
    PROBE_CLIPS,
    PROBE_SEED,
    RUNTIME_FILES,
    RUNTIME_NAMES,
    export_runtimes,
    failure_reason,
    open_exported,
    recorded_keras_outputs,
)
from ascflow.models.naming import FAMILY_LAYOUT
from ascflow.models.runtimes import RUNTIMES

FORMAT = "ascflow-bundle"
#: The manifest versions this code reads; it writes the last.
READABLE_VERSIONS = (1, 2)
FORMAT_VERSION = READABLE_VERSIONS[-1]
MANIFEST = "manifest.json"
MODEL_FILES = {"rf": "model.skops", "cnn": "model.keras", "lstm": "model.keras"}
#: The types a forest's skops file may hold beyond those skops trusts by
#: default (scikit-learn's estimators, NumPy arrays and dtypes): the trees.
#: Anything else in a file is refused before it is loaded.
FOREST_TRUSTED_TYPES = ("sklearn.tree._tree.Tree",)
#: Where bundles come from, told to whoever names one that is not there.
MADE_BY = (
    "bundles are made by the workflow, whose run (`snakemake --cores 8` in its folder) exports every "
    "model it trains to results/export/<model>"
)


@dataclass(frozen=True)
class Bundle:
    """A loaded bundle: its manifest's facts and the model, ready to predict."""

    folder: Path
    manifest: dict
    model: object
    #: The runtime that predicts (:data:`ascflow.models.runtimes.RUNTIMES`)
    #: and, other than Keras, the opened exported model.
    runtime: str = "keras"
    runner: object = None

    @property
    def name(self) -> str:
        return self.manifest["model"]

    @property
    def family(self) -> str:
        return self.manifest["family"]

    @property
    def class_names(self) -> list[str]:
        return list(self.manifest["class_names"])

    @property
    def clip_shape(self) -> tuple[int, int]:
        """Features x frames of the clips the model was trained on."""
        clip = self.manifest["clip"]
        return (clip["n_features"], clip["n_frames"])

    @property
    def audio(self) -> AudioSettings | None:
        """The extraction training's features came from; None for array data."""
        audio = self.manifest["audio"]
        return audio_settings(audio["settings"]) if audio else None

    def check_clips(self, clips: np.ndarray, source: str) -> None:
        """``clips`` must be ``(n, features, frames)`` of the model's clip shape."""
        check_clip_shape(clips.shape, self.manifest, self.folder, source)

    def model_input(self, clips: np.ndarray) -> np.ndarray:
        """``(n, features, frames)`` clips as training fed them to the model:
        standardized with the training set's statistics, in the model's layout."""
        features = self.manifest["features"]
        clips = np.asarray(clips, dtype=np.float32)
        if features["standardize"] == "per_band":
            clips = standardize_clips(
                clips, np.asarray(features["band_mean"]), np.asarray(features["band_std"])
            )
        return to_layout(clips, features["layout"], features["time_major"] or "transpose")

    def probabilities(self, clips: np.ndarray, threads: int | None = None) -> np.ndarray:
        """Class probabilities of ``(n, features, frames)`` clips, ``(n, classes)``
        float64, each row scaled to sum to 1, columns in class-name order."""
        inputs = self.model_input(clips)
        n_classes = len(self.manifest["class_names"])
        if self.family == "rf":
            if threads is not None:
                self.model.n_jobs = threads
            values = np.zeros((inputs.shape[0], n_classes))
            values[:, self.model.classes_] = self.model.predict_proba(inputs)
        elif self.runner is not None:
            values = np.asarray(self.runner.predict(inputs), dtype=np.float64)
        else:
            from ascflow.models.network import predict

            values = np.asarray(predict(self.model, inputs), dtype=np.float64)
        return values / values.sum(axis=1, keepdims=True)


def check_clip_shape(shape: tuple[int, ...], manifest: dict, folder: str | Path, source: str) -> None:
    """An array of ``shape`` must hold clips of the shape the bundle in
    ``folder`` (its ``manifest``) was trained on; one sentence naming ``source`` otherwise."""
    clip = manifest["clip"]
    features, frames = clip["n_features"], clip["n_frames"]
    if len(shape) != 3:
        raise AscflowError(
            f"{source}: expected a 3-D array (clips, features, frames), got shape {tuple(shape)}."
        )
    if tuple(shape[1:]) != (features, frames):
        raise AscflowError(
            f"{source}: clips are {shape[1]} x {shape[2]} (features x frames) but {folder} was trained on "
            f"{features} x {frames}."
        )


def versions(family: str) -> dict[str, str]:
    """The versions of what wrote a bundle (facts for whoever reads it later)."""
    network = ("keras", "ai-edge-litert", "tf2onnx", "onnx", "onnxruntime")
    names = ("ascflow", "numpy", *(("scikit-learn", "skops") if family == "rf" else network))
    found = {}
    for name in names:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


@dataclass(frozen=True)
class ModelInputs:
    """What a model reads, as training prepared it: its classes in output
    order, the clip shape (features x frames), the standardization with the
    training set's band statistics, the LSTM's time-major view, and the
    extraction settings (the config's ``audio`` section less
    ``chunk_files``) where the data came from recordings, else None."""

    class_names: list[str]
    clip_shape: tuple[int, int]
    standardize: str
    band_mean: list[float] | None = None
    band_std: list[float] | None = None
    time_major: str | None = None
    audio: dict | None = None


@dataclass(frozen=True)
class Provenance:
    """Which training made the model: its data fingerprint and settings digest."""

    data_fingerprint: str
    settings_digest: str


def write_bundle(
    folder: str | Path,
    *,
    model_name: str,
    family: str,
    trained_model_path: str | Path,
    inputs: ModelInputs,
    provenance: Provenance,
    representative: np.ndarray | None = None,
) -> dict:
    """Write ``folder`` whole or not at all; return its manifest.

    ``trained_model_path``: the file training wrote (a forest's joblib file,
    which this workflow made, or a network's ``.keras``).
    ``representative``: a network's training clips in its input layout, as
    training fed them (standardized), that calibrate its int8 model; with
    them the bundle holds the int8 LiteRT and the ONNX model too.
    """
    n_features, n_frames = inputs.clip_shape
    standardize, audio = inputs.standardize, inputs.audio
    layout = FAMILY_LAYOUT[family]
    model_file = MODEL_FILES[family]
    with atomic_folder(folder) as partial:
        if family == "rf":
            import joblib
            import skops.io

            skops.io.dump(joblib.load(trained_model_path), partial / model_file)
        else:
            shutil.copyfile(trained_model_path, partial / model_file)
        input_shape = list(layout_shape(layout, 1, n_features, n_frames)[1:])
        runtimes, keras_outputs = (
            export_runtimes(
                partial, _load_network(partial / model_file), model_file, input_shape, representative
            )
            if family != "rf" and representative is not None
            else ({}, None)
        )
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "model": model_name,
            "family": family,
            "model_file": model_file,
            "class_names": [str(name) for name in inputs.class_names],
            "clip": {"n_features": int(n_features), "n_frames": int(n_frames)},
            "input_shape": input_shape,
            "features": {
                "layout": layout,
                "time_major": inputs.time_major,
                "standardize": standardize,
                "band_mean": inputs.band_mean if standardize == "per_band" else None,
                "band_std": inputs.band_std if standardize == "per_band" else None,
            },
            "audio": {"settings": audio_settings(audio).as_dict(), "front_end": FRONT_END} if audio else None,
            "data_fingerprint": provenance.data_fingerprint,
            "settings_digest": provenance.settings_digest,
            "files": {
                name: file_digest(partial / name)
                for name in (model_file, *(entry["file"] for entry in runtimes.values()))
            },
            "runtimes": runtimes,
            "probe": {"clips": PROBE_CLIPS, "seed": PROBE_SEED, "keras_outputs": keras_outputs}
            if runtimes
            else None,
            "versions": versions(family),
        }
        write_json(partial / MANIFEST, manifest)
    return manifest


def read_manifest(folder: str | Path) -> dict:
    """A bundle's manifest, checked for what this code can read (the files'
    digests are :func:`load_bundle`'s to check); one sentence otherwise."""
    folder = Path(folder)
    if folder.is_file():
        raise AscflowError(f"{folder}: is a file, but a bundle is a folder (such as results/export/cnn).")
    if not folder.is_dir():
        raise AscflowError(f"{folder}: no such bundle folder; {MADE_BY}.")
    path = folder / MANIFEST
    if not path.is_file():
        raise AscflowError(f"{folder}: not a model bundle (it has no {MANIFEST}).")
    manifest = read_json(path)
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise AscflowError(f"{path}: not the manifest of an ascflow model bundle.")
    version = manifest.get("format_version")
    if version not in READABLE_VERSIONS:
        readable = ", ".join(str(v) for v in READABLE_VERSIONS)
        raise AscflowError(
            f"{folder}: is a bundle of format version {version}, which this version of ascflow cannot read "
            f"(it reads version {readable})."
        )
    family = manifest.get("family")
    if MODEL_FILES.get(family) != manifest.get("model_file") or manifest["features"][
        "layout"
    ] != FAMILY_LAYOUT.get(family):
        raise AscflowError(f"{path}: describes a model of family {family!r} that this version cannot use.")
    audio = manifest["audio"]
    if audio and audio["front_end"] != FRONT_END:
        changed = sorted(key for key in FRONT_END if audio["front_end"].get(key) != FRONT_END[key])
        raise AscflowError(
            f"{folder}: its model learnt on features this version of ascflow computes otherwise "
            f"({', '.join(changed)} of the audio front-end differ)."
        )
    return manifest


def check_files(folder: Path, manifest: dict) -> None:
    """Every file the manifest lists is there with its recorded SHA-256,
    the model file among them."""
    files = manifest["files"]
    if manifest["model_file"] not in files:
        raise AscflowError(
            f"{folder / MANIFEST}: records no digest of its model file {manifest['model_file']}."
        )
    for entry in (manifest.get("runtimes") or {}).values():
        if entry.get("file") not in files:
            raise AscflowError(f"{folder / MANIFEST}: records no digest of its file {entry.get('file')}.")
    for name, digest in files.items():
        path = folder / name
        if Path(name).name != name:
            raise AscflowError(f"{folder / MANIFEST}: names a file outside its folder ({name}).")
        if not path.is_file():
            raise AscflowError(f"{path}: is missing from the bundle.")
        if file_digest(path) != digest:
            raise AscflowError(
                f"{path}: does not match the SHA-256 the bundle's manifest records (changed or damaged "
                "since it was exported); export it again."
            )


def _load_forest(path: Path):
    import skops.io

    untrusted = sorted(set(skops.io.get_untrusted_types(file=path)) - set(FOREST_TRUSTED_TYPES))
    if untrusted:
        raise AscflowError(
            f"{path}: holds types a forest does not need, so it is not loaded ({', '.join(untrusted)})."
        )
    return skops.io.load(path, trusted=list(FOREST_TRUSTED_TYPES))


def _load_network(path: Path):
    import keras

    # Safe mode refuses anything that would run code (Lambda layers, custom
    # objects); no optimizer is needed to predict.
    return keras.saving.load_model(path, compile=False, safe_mode=True)


def check_runtime(folder: Path, manifest: dict, runtime: str) -> None:
    """The bundle must hold ``runtime``'s model; one sentence otherwise."""
    if runtime not in RUNTIMES:
        raise AscflowError(f"unknown runtime {runtime!r}; choose one of {', '.join(RUNTIMES)}.")
    if runtime == "keras":
        return
    if manifest["family"] == "rf":
        raise AscflowError(
            f"{folder}: is a forest, which runs only from its own file (skops, runtime keras), not in "
            f"runtime {runtime}."
        )
    entry = (manifest.get("runtimes") or {}).get(runtime)
    if not entry:
        raise AscflowError(
            f"{folder}: holds no {RUNTIME_NAMES[runtime]} (a bundle of format version "
            f"{manifest['format_version']}, exported before ascflow exported one); export it again to "
            f"use runtime {runtime}."
        )
    if entry.get("file") != RUNTIME_FILES[runtime] or entry["file"] not in manifest["files"]:
        raise AscflowError(
            f"{folder / MANIFEST}: records its {RUNTIME_NAMES[runtime]} as {entry.get('file')!r} without its "
            f"digest, where a bundle holds {RUNTIME_FILES[runtime]}."
        )


def needs_tensorflow(manifest: dict, runtime: str) -> bool:
    """Whether loading the bundle in ``runtime`` loads its Keras model. An
    exported model runs without TensorFlow where the export recorded the
    Keras model's probe outputs: it is checked against those rather than
    against the Keras model itself, whose loading costs TensorFlow's start
    (seconds, more than classifying a few hundred recordings in int8)."""
    if manifest["family"] == "rf":
        return False
    return runtime == "keras" or recorded_keras_outputs(manifest) is None


def load_bundle(folder: str | Path, runtime: str = "keras", threads: int | None = None) -> Bundle:
    """The bundle in ``folder``, its files checked against their digests
    before anything is loaded; one sentence naming the file otherwise.
    ``runtime``: which of its models predicts (:data:`RUNTIMES`; a forest
    only in ``keras``, its own); ``threads``: that runtime's CPU threads
    (LiteRT's and ONNX Runtime's; Keras' are TensorFlow's, set by the caller)."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    check_runtime(folder, manifest, runtime)
    check_files(folder, manifest)
    if manifest["family"] != "rf" and not needs_tensorflow(manifest, runtime):
        runner = open_exported(folder, manifest, runtime, None, threads)
        return Bundle(folder, manifest, None, runtime, runner)
    path = folder / manifest["model_file"]
    try:
        model = _load_forest(path) if manifest["family"] == "rf" else _load_network(path)
    except AscflowError:
        raise
    except Exception as error:  # any library's error on a file it cannot read
        raise AscflowError(f"{path}: cannot be loaded ({failure_reason(error)}).") from error
    expected = tuple(manifest["input_shape"])
    found = (int(model.n_features_in_),) if manifest["family"] == "rf" else tuple(model.input_shape[1:])
    if found != expected:
        raise AscflowError(f"{path}: takes inputs of shape {found}, not the {expected} its manifest records.")
    runner = None if runtime == "keras" else open_exported(folder, manifest, runtime, model, threads)
    return Bundle(folder, manifest, model, runtime, runner)
