"""A trained model as its training left it on disk: which file a model's
evaluation (and export) takes, checked against its training's facts, and
loaded.

After a sweep without refit, a model's file is the variant validation chose
(``select_variant``'s choice); otherwise the one its training or refit wrote.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ascflow.errors import AscflowError
from ascflow.files import file_digest, read_json


def check_written(model_path: str, info: dict, info_path: str) -> None:
    """The model file is the one its training wrote (``info`` records its
    SHA-256); else one sentence naming the file."""
    if file_digest(model_path) != info["model_sha256"]:
        raise AscflowError(
            f"{model_path}: is not the file its training wrote (truncated or changed since; its SHA-256 "
            f"differs from {info_path}); delete it and run the workflow again to retrain."
        )


def check_model(model_path: str, info: dict, info_path: str, summary: dict) -> None:
    """The model file is the one its training wrote, trained on the data
    validated now; else one sentence naming the file."""
    check_written(model_path, info, info_path)
    if info["data_fingerprint"] != summary["fingerprint"]:
        raise AscflowError(
            f"{model_path}: was trained on other data than results/data/summary.json describes; "
            "delete it and run the workflow again to retrain."
        )


def load_model(model_path: str, family: str):
    """The trained model; one sentence naming the file if it cannot be read."""
    try:
        if family == "rf":
            import joblib

            return joblib.load(model_path)
        import keras

        # No optimizer is needed to predict, so the model is not compiled.
        return keras.models.load_model(model_path, compile=False)
    except Exception as error:  # any library's error on a damaged file
        raise AscflowError(
            f"{model_path}: cannot be loaded ({type(error).__name__}); delete it and run the workflow "
            "again to retrain."
        ) from error


def predict_probabilities(model, family: str, features: np.ndarray) -> np.ndarray:
    if family == "rf":
        return model.predict_proba(features)
    from ascflow.models.network import predict

    return predict(model, features)


def model_to_score(
    model_paths: list[str], info_paths: list[str], selection_path: str | None
) -> tuple[str, str, dict, dict | None]:
    """The model file validation chose, its training facts' file and those
    facts: the one given, or, after a sweep without refit, the selected
    variant's of its runs' (``select_variant``'s choice)."""
    if selection_path is None or len(model_paths) == 1:
        selection = read_json(selection_path) if selection_path else None
        return model_paths[0], info_paths[0], read_json(info_paths[0]), selection
    selection = read_json(selection_path)
    chosen = selection["selected"]
    # Run names may hold dots (learning_rate-0.004): match whole file names.
    model_path = next(path for path in model_paths if Path(path).name == chosen + Path(path).suffix)
    info_path = next(path for path in info_paths if Path(path).name == f"{chosen}.train.json")
    return model_path, info_path, read_json(info_path), selection
