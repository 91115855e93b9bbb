"""Stage export: each trained model as a bundle that travels
(``results/export/<model>/``, :mod:`ascflow.models.bundle`).

Everything the bundle states comes from what training and validation
recorded: the model's ``.train.json`` (its standardization, the LSTM's
time-major view, its data fingerprint and settings digest) and
``results/data/summary.json`` (the class names, the clip shape, the training
set's band statistics and, for recordings, the extraction settings), never
from the config.
"""

from __future__ import annotations

import logging

from ascflow.files import read_json
from ascflow.models.bundle import write_bundle
from ascflow.models.naming import parse_model_name
from ascflow.stages.evaluate import check_model

log = logging.getLogger("ascflow")


def export_job(model_name: str, model_path: str, info_path: str, summary_path: str, bundle_dir: str) -> dict:
    """The model file must be the one its training wrote, on the data validated now."""
    summary, info = read_json(summary_path), read_json(info_path)
    check_model(model_path, info, info_path, summary)
    family = parse_model_name(model_name).family
    audio = summary["audio"]["settings"] if summary.get("source") == "audio" else None
    manifest = write_bundle(
        bundle_dir,
        model_name=model_name,
        family=family,
        trained_model_path=model_path,
        class_names=summary["class_names"],
        clip_shape=(summary["n_features"], summary["n_frames"]),
        standardize=info["standardize"],
        band_mean=summary["train_band_mean"],
        band_std=summary["train_band_std"],
        time_major=(info.get("settings") or {}).get("time_major"),
        audio=audio,
        data_fingerprint=info["data_fingerprint"],
        settings_digest=info["settings_digest"],
    )
    log.info("%s: %s, %s", bundle_dir, manifest["model_file"], "from recordings" if audio else "from arrays")
    return manifest
