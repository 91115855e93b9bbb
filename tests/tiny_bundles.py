"""Model bundles of tiny models, written without Snakemake: the class
names and clip shape they share, and the bundle of a trained model file.
tests/unit/conftest.py makes its fixtures from them."""

from __future__ import annotations

from pathlib import Path

from ascflow.models.bundle import ModelInputs, Provenance, write_bundle

CLASSES = ["beach", "bus", "cafe/restaurant"]
ARRAY_SHAPE = (12, 40)


def provenance(name: str) -> Provenance:
    return Provenance(data_fingerprint=f"data of {name}", settings_digest=f"settings of {name}")


def bundle_of(
    folder: Path, trained: Path, family: str, clip_shape: tuple[int, int], audio: dict | None, statistics=None
) -> Path:
    """``folder`` made the bundle of the model file ``trained`` (named after
    its family, or rf_5); ``statistics``: the band means and standard
    deviations, None for raw values."""
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
    )
    return folder
