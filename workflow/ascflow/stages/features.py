"""Stage features: one layout of one split, standardized if configured."""

from __future__ import annotations

import logging

from ascflow.data.validation import load_array
from ascflow.features import write_layout
from ascflow.files import atomic_path, read_json

log = logging.getLogger("ascflow")


def make_features(
    clips_path: str, summary_path: str, features_path: str, layout: str, standardize: str, time_major: str
) -> tuple[int, ...]:
    summary = read_json(summary_path)
    per_band = standardize == "per_band"
    with atomic_path(features_path) as partial:
        shape = write_layout(
            load_array(clips_path),
            partial,
            layout,
            band_mean=summary["train_band_mean"] if per_band else None,
            band_std=summary["train_band_std"] if per_band else None,
            time_major_method=time_major,
        )
    log.info("wrote %s, shape %s", features_path, shape)
    return shape
