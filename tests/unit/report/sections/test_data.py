"""The Data section: the files, the classes, and the extraction from recordings."""

from __future__ import annotations

from ascflow.report.blocks import Paragraph
from ascflow.report.sections.data import (
    audio_extraction,
    audio_source,
    class_table,
    data_blocks,
    label_conversions,
    preparation_text,
    sample_rates_text,
)
from fake_results import fake_data_summary

AUDIO = {
    "audio_dir": "/recordings",
    "meta": "meta.csv",
    "split_source": "evaluation_setup",
    "files": {"train": 400, "test": 200},
    "settings": {
        "n_mels": 40,
        "fmin": 0.0,
        "fmax": 22050.0,
        "window_s": 0.04,
        "hop_s": 0.02,
        "clip_s": 10.0,
        "sample_rate": 44100,
    },
    "sample_rates": {"44100": 590, "48000": 10},
    "mixed_down": 600,
    "resampled": 10,
    "padded": 3,
    "cut": 2,
    "unlisted": ["a.wav", "b.wav"],
    "unsplit": 1,
    "groups_from": "identifier",
    "silent": ["x.wav"],
    "chunks": 3,
    "chunk_files": 256,
    "truncated": ["t1.wav"],
    "short": [],
    "short_below_s": 5.0,
}


def test_recordings_are_counted_by_rate_and_by_what_preparing_did():
    assert sample_rates_text(AUDIO["sample_rates"]) == "590 at 44,100 Hz, 10 at 48,000 Hz"
    assert preparation_text(AUDIO) == "600 mixed down to mono, 10 resampled, 3 padded with silence, 2 cut"


def test_extraction_states_its_settings_and_what_it_bent_or_left_out():
    text = audio_extraction(AUDIO)
    assert "40 mel bands from 0 to 22050 Hz, 40 ms Hamming windows every 20 ms" in text
    assert "in 3 extraction jobs of up to 256 recordings" in text
    assert "Of the 600 recordings (590 at 44,100 Hz, 10 at 48,000 Hz), 600 mixed down to mono" in text
    assert "1 recording truncated, holding fewer samples than its header promises (t1.wav)" in text
    assert (
        "Left out: 2 files in audio/ that meta.csv does not list and 1 listed recording in neither split."
        in text
    )
    assert text.endswith("Each clip's group is its recording identifier from meta.csv.")
    plain = audio_extraction(
        {**AUDIO, "unlisted": [], "unsplit": 0, "truncated": [], "groups_from": "none", "silent": []}
    )
    assert (
        "Left out" not in plain
        and "Padded with more silence" not in plain
        and "0 clips wholly silent" in plain
    )
    assert "for training and 200 for testing, as meta.csv and evaluation_setup list them" in audio_source(
        AUDIO
    )


def test_label_conversions_are_named_or_left_out():
    assert label_conversions({}) == ""
    assert label_conversions({"y_train.npy": ["column_vector", "something new"]}) == (
        "Labels converted on reading (y_train.npy: a column (n, 1), flattened, something new)."
    )


def test_data_section_states_the_groups_and_the_validation():
    data = fake_data_summary()
    shape = [block.text for block in data_blocks(data) if isinstance(block, Paragraph)]
    assert "The clips come from 60 training and 20 test recordings; none is in both." in shape[1]
    assert shape[-1] == "Validation passed without warnings."
    data.update(groups=None, warnings=["one class is empty"], labels_mapped=True)
    shape = [block.text for block in data_blocks(data) if isinstance(block, Paragraph)]
    assert "The data names no recordings (no groups_*.npy): splits are clip-level." in shape[1]
    assert "The labels were mapped to 0..K-1" in shape[1]
    assert shape[-1] == "Validation passed with warnings: one class is empty."


def test_text_labels_are_their_class_names_shown_once():
    data = fake_data_summary()
    numbered = class_table(data)
    assert numbered.header == ("label", "class", "training clips", "test clips")
    assert numbered.rows[0] == ("0", "beach", "120", "40")
    data["label_values"] = list(data["class_names"])  # text labels, read as class names
    named = class_table(data)
    assert named.header == ("class", "training clips", "test clips")
    assert named.rows[0] == ("beach", "120", "40") and named.rows[-1] == ("all", "600", "200")
