"""Small model bundles, made without Snakemake: a forest trained on arrays
and a CNN (untrained: prediction does not care) for recordings."""

from __future__ import annotations

import os
from pathlib import Path

import joblib
import numpy as np
import pytest
from ascflow.data.audio import audio_settings
from support import TINY_AUDIO
from tiny_bundles import ARRAY_SHAPE, CLASSES, bundle_of

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


@pytest.fixture(scope="session")
def forest_bundle(tmp_path_factory) -> Path:
    """A 5-tree forest on random arrays of 12 x 40 clips, standardized per band."""
    from sklearn.ensemble import RandomForestClassifier

    folder = tmp_path_factory.mktemp("forest")
    rng = np.random.default_rng(0)
    clips = rng.normal(size=(30, *ARRAY_SHAPE)).astype(np.float32)
    labels = np.arange(30) % 3
    clips[labels == 1] += 1.0
    mean, std = clips.mean(axis=(0, 2)), clips.std(axis=(0, 2))
    standardized = (clips - mean[None, :, None]) / std[None, :, None]
    forest = RandomForestClassifier(5, random_state=0).fit(standardized.reshape(30, -1), labels)
    joblib.dump(forest, folder / "rf_5.joblib")
    return bundle_of(
        folder / "rf_5", folder / "rf_5.joblib", "rf", ARRAY_SHAPE, None, (mean.tolist(), std.tolist())
    )


@pytest.fixture(scope="session")
def cnn_bundle(tmp_path_factory) -> Path:
    """A small CNN for 1-second recordings at the tiny audio settings."""
    import keras
    from ascflow.models.keras_build import build_model
    from ascflow.models.specs import cnn_spec

    # Seeded: its int8 model's labels are compared with its own, so the
    # weights (and with them how close its classes come) are the same each run.
    keras.utils.set_random_seed(3)
    folder = tmp_path_factory.mktemp("cnn")
    shape = audio_settings(TINY_AUDIO).shape
    convs = [{"filters": 2, "kernel_size": 3, "padding": "valid"}]
    build_model(cnn_spec((*shape, 1), len(CLASSES), convs, 2)).save(folder / "cnn.keras")
    statistics = ([-5.0] * shape[0], [2.0] * shape[0])
    return bundle_of(folder / "cnn", folder / "cnn.keras", "cnn", shape, TINY_AUDIO, statistics)
