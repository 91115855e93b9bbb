"""Use a trained model: classify new recordings or clips with a model bundle,
and score the predictions where the recordings are labelled.

:func:`predict` is ``ascflow.predict``, the one entry point that the console
command ``ascflow predict``, the workflow's ``predict`` target and a user's
own script share; it needs nothing but a bundle (:mod:`ascflow.models.bundle`),
so it works from any folder, without Snakemake or this repository. Every
preprocessing step is the bundle's: recordings are read, mixed down,
resampled and padded or cut, and their log mel-band energies computed, with
the extraction settings training used (:mod:`ascflow.data.audio`); then the
training set's standardization and the model's layout.

The table (:data:`TABLE_COLUMNS`, then one column per class) is what DCASE's
baselines write in evaluation mode: tab-separated, a row per recording (its
path relative to the folder given) or per clip of an array (its row index),
the class probabilities of a row summing to 1, ``scene_label`` their
arg-max.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ascflow.data.audio_folder import AUDIO_SUFFIXES, read_scene_labels, recordings_below
from ascflow.data.validation import load_array
from ascflow.errors import AscflowError
from ascflow.evaluation import accuracy_by_group, classification_metrics
from ascflow.files import atomic_path
from ascflow.models.bundle import MANIFEST, Bundle, check_clip_shape, load_bundle, read_manifest

TABLE_COLUMNS = ("filename", "scene_label")
#: The clips of array data in a folder given to :func:`predict`.
ARRAY_FILE = "X.npy"
#: A folder's labels, when it has them (DCASE's layout).
META_FILE = "meta.csv"
#: Probabilities as the table writes them.
PROBABILITY_FORMAT = "%.6f"


def recording_inputs(folder: str | Path) -> list[str]:
    """The recordings below ``folder`` as names relative to it; one sentence
    when the folder is missing or holds none."""
    folder = Path(folder)
    if not folder.is_dir():
        raise AscflowError(f"{folder}: no such folder.")
    names = recordings_below(folder)
    if not names:
        raise AscflowError(
            f"{folder}: holds no recordings ({', '.join(AUDIO_SUFFIXES)}, in it or in folders below it)."
        )
    return names


def array_input(folder: str | Path) -> Path:
    """A folder's ``X.npy``; one sentence when the folder or the file is missing."""
    folder = Path(folder)
    if not folder.is_dir():
        raise AscflowError(f"{folder}: no such folder.")
    path = folder / ARRAY_FILE
    if not path.is_file():
        raise AscflowError(
            f"{folder}: has no {ARRAY_FILE} (clips x features x frames) for a model trained on arrays."
        )
    return path


def checked_clips(clips: np.ndarray, source: str, bundle: Bundle) -> np.ndarray:
    """``clips`` as float32, once they are of the bundle's clip shape, numeric and finite."""
    bundle.check_clips(clips, source)
    if clips.dtype == bool or not np.issubdtype(clips.dtype, np.number):
        raise AscflowError(f"{source}: expected numeric values, got dtype {clips.dtype}.")
    if np.issubdtype(clips.dtype, np.complexfloating):
        raise AscflowError(f"{source}: expected real values, got dtype {clips.dtype}.")
    if not np.isfinite(clips).all():
        raise AscflowError(f"{source}: holds NaN or infinite values.")
    return np.asarray(clips, dtype=np.float32)


def check_array_input(folder: str | Path, bundle_dirs: Sequence[str | Path]) -> None:
    """``folder``'s X.npy (its header) must hold clips of the shape of the
    first of ``bundle_dirs`` that exists; nothing to check before any does."""
    path = array_input(folder)
    existing = [Path(bundle) for bundle in bundle_dirs if Path(bundle, MANIFEST).is_file()]
    if existing:
        check_clip_shape(load_array(path).shape, read_manifest(existing[0]), existing[0], str(path))


def read_clips(path: str | Path, bundle: Bundle) -> np.ndarray:
    """The clips of a ``.npy`` file (never unpickled), checked (:func:`checked_clips`)."""
    return checked_clips(load_array(path), str(path), bundle)


def _arrays_only(bundle: Bundle) -> str:
    """Why a bundle trained on arrays takes no recordings, and what it takes."""
    features, frames = bundle.clip_shape
    return (
        f"{bundle.folder} was trained on arrays, so it classifies .npy clips of shape "
        f"(n, {features}, {frames}) (clips x features x frames), not recordings"
    )


def _inputs(source, bundle: Bundle) -> list[tuple[str, Path | None, np.ndarray | None]]:
    """(name, recording, clip) of every input of one source: a recording,
    an ``.npy`` file or a folder of either, or an array of clips."""
    if isinstance(source, np.ndarray):
        clips = checked_clips(source, "the array given", bundle)
        return [(str(row), None, clip) for row, clip in enumerate(clips)]
    path = Path(source)
    if path.is_dir():
        has_array = (path / ARRAY_FILE).is_file()
        if bundle.audio is None:
            if not has_array and recordings_below(path):
                raise AscflowError(
                    f"{path}: holds recordings but no {ARRAY_FILE}, and {_arrays_only(bundle)}."
                )
            return _inputs(array_input(path), bundle)
        if has_array and not recordings_below(path):
            raise AscflowError(
                f"{path}: holds {ARRAY_FILE} but no recordings ({', '.join(AUDIO_SUFFIXES)}), and "
                f"{bundle.folder} was trained on recordings, so give it the .npy file itself to classify "
                "its clips."
            )
        return [(name, path / name, None) for name in recording_inputs(path)]
    if not path.exists():
        raise AscflowError(f"{path}: no such file or folder.")
    if path.suffix.lower() == ".npy":
        return [(str(row), None, clip) for row, clip in enumerate(read_clips(path, bundle))]
    if path.suffix.lower() not in AUDIO_SUFFIXES:
        raise AscflowError(
            f"{path}: is neither a recording ({', '.join(AUDIO_SUFFIXES)}) nor an array of clips (.npy)."
        )
    return [(str(source), path, None)]


def gather_inputs(paths_or_array, bundle: Bundle) -> tuple[list[str], np.ndarray, list[dict]]:
    """The names, the ``(n, features, frames)`` clips and the extraction
    facts of each recording (none for arrays) of what ``predict`` was given."""
    sources = (
        [paths_or_array]
        if isinstance(paths_or_array, np.ndarray | str | os.PathLike)
        else list(paths_or_array)
    )
    if not sources:
        raise AscflowError("predict: was given no recording, folder or array to classify.")
    entries = [entry for source in sources for entry in _inputs(source, bundle)]
    recordings = [path for _, path, _ in entries if path is not None]
    if recordings and bundle.audio is None:
        raise AscflowError(f"{recordings[0]}: is a recording, and {_arrays_only(bundle)}.")
    features, facts = (None, [])
    if recordings:
        from ascflow.data.audio import extract_features

        features, facts = extract_features(recordings, bundle.audio)
    clips = np.empty((len(entries), *bundle.clip_shape), dtype=np.float32)
    extracted = iter(features if features is not None else ())
    for row, (_, path, clip) in enumerate(entries):
        clips[row] = next(extracted) if path is not None else clip
    return [name for name, _, _ in entries], clips, facts


def prediction_table(names: Sequence[str], probabilities: np.ndarray, class_names: Sequence[str]):
    """The table as a pandas DataFrame: file name, arg-max label, one
    probability column per class."""
    import pandas as pd

    table = pd.DataFrame(probabilities, columns=list(class_names))
    table.insert(0, "scene_label", np.asarray(class_names, dtype=object)[probabilities.argmax(axis=1)])
    table.insert(0, "filename", list(names))
    return table


def write_prediction_table(table, path: str | Path) -> None:
    """Tab-separated, written whole or not at all."""
    with atomic_path(path) as partial:
        table.to_csv(partial, sep="\t", index=False, float_format=PROBABILITY_FORMAT)


def as_bundle(
    bundle: Bundle | str | os.PathLike, runtime: str = "keras", threads: int | None = None
) -> Bundle:
    """A bundle loaded for ``runtime``: ``bundle`` itself where it is one
    loaded so, else loaded (again) from its folder."""
    if isinstance(bundle, Bundle):
        return bundle if bundle.runtime == runtime else load_bundle(bundle.folder, runtime, threads)
    return load_bundle(bundle, runtime, threads)


def predict(
    paths_or_array,
    bundle: Bundle | str | os.PathLike,
    threads: int | None = None,
    runtime: str = "keras",
):
    """Classify recordings or clips with a model bundle; return the table.

    ``paths_or_array``: a recording, a folder (its recordings, found
    recursively and named relative to it; for a model trained on arrays its
    ``X.npy``), a ``.npy`` file of clips, a list of these, or an array of
    clips ``(n, features, frames)`` (rows named by their index).
    ``bundle``: a bundle's folder (``results/export/<model>``) or a loaded
    :class:`~ascflow.models.bundle.Bundle`. ``threads``: a forest's jobs,
    or LiteRT's or ONNX Runtime's threads (TensorFlow's threads are the
    caller's to set before its first op). ``runtime``: which of the bundle's
    models predicts: ``keras`` (the trained model; a forest's own), or a
    network's exported ``litert`` (int8) or ``onnx`` model.
    Raises :class:`~ascflow.errors.AscflowError` with one sentence naming
    the file for anything that cannot be classified.
    """
    bundle = as_bundle(bundle, runtime, threads)
    names, clips, _ = gather_inputs(paths_or_array, bundle)
    return prediction_table(names, bundle.probabilities(clips, threads), bundle.class_names)


# ---- what the predictions say ------------------------------------------------


def extraction_counts(facts: list[dict]) -> dict | None:
    """What the extraction did to the recordings, counted (None for arrays)."""
    if not facts:
        return None
    counts = Counter(
        key for fact in facts for key in ("mixed_down", "resampled", "padded", "cut") if fact[key]
    )
    return {
        **{key: counts[key] for key in ("mixed_down", "resampled", "padded", "cut")},
        "sample_rates": {
            str(rate): n for rate, n in sorted(Counter(f["sample_rate"] for f in facts).items())
        },
        "channels": {
            str(channels): n for channels, n in sorted(Counter(f["channels"] for f in facts).items())
        },
    }


def _labelled(name: str, labels: dict[str, dict]) -> dict | None:
    """A file's row of meta.csv: by its name relative to the folder, or by
    its bare name as DCASE's tables give files in ``audio/``."""
    return labels.get(name) or (
        labels.get(name.removeprefix("audio/")) if name.startswith("audio/") else None
    )


def score_predictions(
    table, probabilities: np.ndarray, class_names: list[str], meta_path: str | Path
) -> dict:
    """The scores of the predictions against ``meta.csv``'s scene labels:
    accuracy with its Wilson interval, macro-F1, log loss, per-class recall,
    the confusion matrix, and the accuracy per device (or source) where
    meta.csv has such a column; ``{"labelled": False}`` without labels.
    Every file predicted must be labelled with a class of the model."""
    read = read_scene_labels(meta_path)
    if read is None:
        return {"labelled": False, "device_column": None}
    labels, device_column = read
    names = table["filename"].tolist()
    rows = [_labelled(name, labels) for name in names]
    unlabelled = [name for name, row in zip(names, rows, strict=True) if row is None]
    if unlabelled:
        more = f" and {len(unlabelled) - 1} more" if len(unlabelled) > 1 else ""
        raise AscflowError(
            f"{meta_path}: has no scene label for {unlabelled[0]}{more}; label every recording it "
            "classifies, or move meta.csv away to classify without scores."
        )
    index = {name: position for position, name in enumerate(class_names)}
    for row in rows:
        if row["label"] not in index:
            raise AscflowError(
                f"{meta_path} line {row['line']}: scene label {row['label']!r} is not a class of the model "
                f"({', '.join(class_names)})."
            )
    true = np.array([index[row["label"]] for row in rows])
    scores = {"labelled": True, **classification_metrics(true, probabilities), "device_column": None}
    devices = [row["device"] for row in rows]
    if device_column and all(devices):
        scores["device_column"] = device_column
        scores["per_device"] = accuracy_by_group(true, probabilities.argmax(axis=1), devices)
    return scores


def prediction_facts(
    bundle: Bundle,
    table,
    probabilities: np.ndarray,
    facts: list[dict],
    source: str,
    meta_path: str | Path | None,
) -> dict:
    """What the predictions of one model are, as facts for the report:
    what was classified and how it was read, the predicted class counts,
    and the scores where ``meta_path`` labels the files."""
    counts = np.bincount(probabilities.argmax(axis=1), minlength=len(bundle.class_names))
    scores = (
        score_predictions(table, probabilities, bundle.class_names, meta_path)
        if meta_path
        else {"labelled": False, "device_column": None}
    )
    return {
        "model": bundle.name,
        "family": bundle.family,
        "runtime": bundle.runtime,
        "source": source,
        "n_files": int(len(table)),
        "inputs": "recordings" if facts else "arrays",
        "extraction": extraction_counts(facts),
        "class_names": bundle.class_names,
        "predicted_counts": counts.tolist(),
        "meta": Path(meta_path).name if meta_path else None,
        **scores,
        "data_fingerprint": bundle.manifest["data_fingerprint"],
        "settings_digest": bundle.manifest["settings_digest"],
    }
