"""Small model bundles, made without Snakemake: a forest trained on arrays
and a CNN (untrained: prediction does not care) for recordings."""

from __future__ import annotations

import os
from pathlib import Path

import joblib
import numpy as np
import pytest
from ascflow.data.audio import audio_settings
from ascflow.models.bundle import write_bundle

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

#: 1-second clips at 8 kHz: 12 bands x 51 frames (tests/test_audio.py's settings).
TINY_AUDIO = {
    "sample_rate": 8000,
    "window_s": 0.04,
    "hop_s": 0.02,
    "n_fft": 512,
    "n_mels": 12,
    "fmin": 0,
    "fmax": 4000,
    "clip_s": 1,
}
CLASSES = ["beach", "bus", "cafe/restaurant"]
ARRAY_SHAPE = (12, 40)


def provenance(name: str) -> dict:
    return {"data_fingerprint": f"data of {name}", "settings_digest": f"settings of {name}"}


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
    write_bundle(
        folder / "rf_5",
        model_name="rf_5",
        family="rf",
        trained_model_path=folder / "rf_5.joblib",
        class_names=CLASSES,
        clip_shape=ARRAY_SHAPE,
        standardize="per_band",
        band_mean=mean.tolist(),
        band_std=std.tolist(),
        time_major=None,
        audio=None,
        **provenance("rf_5"),
    )
    return folder / "rf_5"


@pytest.fixture(scope="session")
def cnn_bundle(tmp_path_factory) -> Path:
    """A small CNN for 1-second recordings at the tiny audio settings."""
    from ascflow.models.keras_build import build_model
    from ascflow.models.specs import cnn_spec

    folder = tmp_path_factory.mktemp("cnn")
    shape = audio_settings(TINY_AUDIO).shape
    convs = [{"filters": 2, "kernel_size": 3, "padding": "valid"}]
    build_model(cnn_spec((*shape, 1), len(CLASSES), convs, 2)).save(folder / "cnn.keras")
    write_bundle(
        folder / "cnn",
        model_name="cnn",
        family="cnn",
        trained_model_path=folder / "cnn.keras",
        class_names=CLASSES,
        clip_shape=shape,
        standardize="per_band",
        band_mean=[-5.0] * shape[0],
        band_std=[2.0] * shape[0],
        time_major=None,
        audio=TINY_AUDIO,
        **provenance("cnn"),
    )
    return folder / "cnn"
