"""Model bundles of tiny models, written without Snakemake: the class
names and clip shape they share, and the bundle of a trained model file.
tests/unit/conftest.py makes its fixtures from them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from ascflow.features import layout_shape
from ascflow.models.bundle import ModelInputs, Provenance, write_bundle
from ascflow.models.naming import FAMILY_LAYOUT

CLASSES = ["beach", "bus", "cafe/restaurant"]
ARRAY_SHAPE = (12, 40)
#: Standardized clips that calibrate a tiny network's int8 model.
REPRESENTATIVE_CLIPS = 8


def representative_clips(family: str, clip_shape: tuple[int, int], n: int = REPRESENTATIVE_CLIPS):
    """``n`` seeded standard-normal clips in the family's input layout."""
    shape = layout_shape(FAMILY_LAYOUT[family], n, *clip_shape)
    return np.random.default_rng(1).standard_normal(shape).astype(np.float32)


def provenance(name: str) -> Provenance:
    return Provenance(data_fingerprint=f"data of {name}", settings_digest=f"settings of {name}")


def bundle_of(
    folder: Path,
    trained: Path,
    family: str,
    clip_shape: tuple[int, int],
    audio: dict | None,
    statistics=None,
    exported: bool = True,
) -> Path:
    """``folder`` made the bundle of the model file ``trained`` (named after
    its family, or rf_5); ``statistics``: the band means and standard
    deviations, None for raw values; ``exported``: a network's bundle holds
    its int8 LiteRT and ONNX models too."""
    name = "rf_5" if family == "rf" else family
    mean, std = statistics if statistics is not None else (None, None)
    write_bundle(
        folder,
        model_name=name,
        family=family,
        trained_model_path=trained,
        inputs=ModelInputs(
            class_names=CLASSES,
            clip_shape=clip_shape,
            standardize="none" if statistics is None else "per_band",
            band_mean=mean,
            band_std=std,
            audio=audio,
        ),
        provenance=provenance(name),
        representative=representative_clips(family, clip_shape) if family != "rf" and exported else None,
    )
    return folder
