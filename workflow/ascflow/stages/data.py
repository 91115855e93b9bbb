"""Stage data: the built-in synthetic set, and validation of the data in use.

Validation writes ``results/data/summary.json`` (shapes, classes, digests,
training band statistics) and the labels mapped to 0..K-1; every later job
reads the data through what it wrote.
"""

from __future__ import annotations

import logging
from pathlib import Path

from ascflow.data.audio_folder import RecordingNames
from ascflow.data.synthetic import generate_default_data
from ascflow.data.validation import validate_dataset
from ascflow.files import read_json, save_array, write_json

log = logging.getLogger("ascflow")


def generate_data(out_dir: str, settings: dict, seed: int) -> None:
    """``settings``: the config's ``default_data`` section."""
    written = generate_default_data(Path(out_dir), **settings, seed=seed)
    log.info("wrote %s", ", ".join(str(path) for path in written.values()))


def validate_data(
    data_dir: str,
    class_names: list[str],
    leakage: str,
    synthetic: bool,
    summary_path: str,
    train_labels_path: str,
    test_labels_path: str,
    train_groups_path: str,
    test_groups_path: str,
    audio_facts_path: str | None = None,
    audio_manifest_path: str | None = None,
) -> dict:
    """Writes the labels mapped to 0..K-1 and the groups as integer codes
    (one per clip where the data has none). ``audio_facts_path``: what the
    extraction from audio_dir did, where the data comes from recordings; its
    counts go into the summary and its warnings among the summary's.
    ``audio_manifest_path``: the listing of those recordings, by which every
    sentence names the recordings and table rows a clip comes from."""
    names = RecordingNames(read_json(audio_manifest_path)) if audio_manifest_path else None
    summary, labels, groups = validate_dataset(
        data_dir, class_names=class_names, leakage=leakage, names=names
    )
    summary["source"] = "synthetic" if synthetic else "audio" if audio_facts_path else "user"
    if audio_facts_path:
        summary["audio"] = read_json(audio_facts_path)
        summary["warnings"] += summary["audio"].pop("warnings")
    for warning in summary["warnings"]:
        log.warning("%s", warning)
    save_array(train_labels_path, labels["train"])
    save_array(test_labels_path, labels["test"])
    save_array(train_groups_path, groups["train"])
    save_array(test_groups_path, groups["test"])
    write_json(summary_path, summary)
    log.info(
        "%s: %d classes, %s x %s", data_dir, summary["n_classes"], summary["n_features"], summary["n_frames"]
    )
    return summary
