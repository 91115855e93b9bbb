"""The Data section: the files read, the classes, what validation found and,
for data extracted from recordings, how the workflow extracted it.
"""

from __future__ import annotations

from ascflow.data.audio_folder import named
from ascflow.report.blocks import Block, Heading, Paragraph, Table
from ascflow.report.sections.formatting import counted


def _groups_sentence(groups: dict | None) -> str:
    if not groups:
        return " The data names no recordings (no groups_*.npy): splits are clip-level."
    shared = f"{groups['shared']} recordings are in both (leakage)" if groups["shared"] else "none is in both"
    return f" The clips come from {groups['train']} training and {groups['test']} test recordings; {shared}."


#: How validation read each label form it converted (ascflow.data.validation).
LABEL_CONVERSIONS = {
    "column_vector": "a column (n, 1), flattened",
    "whole_floats": "whole-valued floats, read as integers",
    "booleans": "booleans, read as 0 and 1",
    "names": "text labels, read as class names",
}


def label_conversions(conversions: dict[str, list[str]]) -> str:
    """A sentence on the label files validation converted, or ''."""
    if not conversions:
        return ""
    described = "; ".join(
        f"{name}: {', '.join(LABEL_CONVERSIONS.get(code, code) for code in codes)}"
        for name, codes in conversions.items()
    )
    return f"Labels converted on reading ({described})."


def class_table(data: dict) -> Table:
    """A row per class: its label value, name and clips. Text labels are
    their own class names: the name is shown once, without a label column."""
    counts = data["class_counts"]
    values = [str(value) for value in data["label_values"]]
    rows = tuple(
        (value, name, f"{train:,}", f"{test:,}")
        for value, name, train, test in zip(
            values, data["class_names"], counts["train"], counts["test"], strict=True
        )
    ) + (("", "all", f"{sum(counts['train']):,}", f"{sum(counts['test']):,}"),)
    if values == [str(name) for name in data["class_names"]]:
        return Table(("class", "training clips", "test clips"), tuple(row[1:] for row in rows), align="LRR")
    return Table(("label", "class", "training clips", "test clips"), rows, align="RLRR")


def data_blocks(data: dict) -> list[Block]:
    files = Table(
        ("file", "shape", "dtype", "SHA-256"),
        tuple(
            (name, " × ".join(str(size) for size in facts["shape"]), facts["dtype"], facts["sha256"])
            for name, facts in data["files"].items()
        ),
    )
    classes = class_table(data)
    value_range = data.get("value_range", {}).get("train", {})
    warnings = data.get("warnings", [])
    outcome = (
        "Validation passed without warnings."
        if not warnings
        else "Validation passed with warnings: " + "; ".join(warnings) + "."
    )
    shape = (
        f"{data['n_classes']} classes; each clip is {data['n_features']} features × {data['n_frames']} frames"
        + (
            f"; training values range from {value_range['min']:.3g} to {value_range['max']:.3g}"
            if value_range
            else ""
        )
        + f"; {data.get('duplicate_clips', 0)} test clips duplicate a training clip."
        + _groups_sentence(data.get("groups"))
    )
    if data.get("labels_mapped"):
        shape += " The labels were mapped to 0..K-1 in the order of the table below."
    converted = label_conversions(data.get("label_conversions", {}))
    if converted:
        shape += f" {converted}"
    audio = data.get("audio") if data.get("source") == "audio" else None
    extraction = [Paragraph(audio_extraction(audio))] if audio else []
    return [
        Heading("Data"),
        *extraction,
        Paragraph(f"The files read from {data['data_dir']}:"),
        files,
        Paragraph(shape),
        classes,
        Paragraph(outcome),
    ]


def audio_source(audio: dict) -> str:
    """Where the data came from, when it was extracted from recordings."""
    files = audio["files"]
    return (
        f"The data is log mel-band energies that the workflow extracted with librosa from the recordings "
        f"in {audio['audio_dir']}: {files['train']:,} for training and {files['test']:,} for testing, "
        f"as {audio['meta']} and {audio['split_source']} list them; how they were extracted is under Data."
    )


def sample_rates_text(sample_rates: dict[str, int]) -> str:
    """How many recordings came at each sample rate."""
    return ", ".join(f"{n:,} at {int(rate):,} Hz" for rate, n in sample_rates.items())


def preparation_text(counts: dict) -> str:
    """What preparing recordings for a model did to them, counted: training's
    extraction and the new recordings' prediction prepare them alike."""
    return (
        f"{counts['mixed_down']:,} mixed down to mono, {counts['resampled']:,} resampled, "
        f"{counts['padded']:,} padded with silence, {counts['cut']:,} cut"
    )


def audio_extraction(audio: dict) -> str:
    """The extraction's settings and what it did to the recordings, counted."""
    settings = audio["settings"]
    total = sum(audio["files"].values())
    left_out = []
    if audio["unlisted"]:
        unlisted = counted(len(audio["unlisted"]), "file")
        left_out.append(f"{unlisted} in audio/ that {audio['meta']} does not list")
    if audio["unsplit"]:
        left_out.append(f"{counted(audio['unsplit'], 'listed recording')} in neither split")
    groups = (
        "Each clip's group is its recording identifier from " + audio["meta"] + "."
        if audio["groups_from"] == "identifier"
        else f"{audio['meta']} gives no recording identifiers, so each clip is its own group."
    )
    return (
        f"Features: log mel-band energies computed with librosa, {settings['n_mels']} mel bands from "
        f"{settings['fmin']:g} to {settings['fmax']:g} Hz, {settings['window_s'] * 1000:g} ms Hamming "
        f"windows every {settings['hop_s'] * 1000:g} ms, on clips of {settings['clip_s']:g} s at "
        f"{settings['sample_rate']:,} Hz, in {counted(audio['chunks'], 'extraction job')} of up to "
        f"{audio['chunk_files']:,} recordings. Of the {total:,} recordings "
        f"({sample_rates_text(audio['sample_rates'])}), {preparation_text(audio)}"
        + f"; {counted(len(audio['silent']), 'clip')} wholly silent."
        + _bent_recordings(audio)
        + (f" Left out: {' and '.join(left_out)}." if left_out else "")
        + f" {groups}"
    )


def _bent_recordings(audio: dict) -> str:
    """The padding that bent the data more than rounding: recordings shorter
    than their header promises, and clips much shorter than the clip length,
    counted and named."""
    parts = []
    if audio.get("truncated"):
        parts.append(
            f"{counted(len(audio['truncated']), 'recording')} truncated, holding fewer samples than "
            f"{'its header promises' if len(audio['truncated']) == 1 else 'their headers promise'} "
            f"({named(audio['truncated'])})"
        )
    if audio.get("short"):
        parts.append(
            f"{counted(len(audio['short']), 'clip')} shorter than {audio['short_below_s']:g} s, "
            f"{audio['short_below_s'] / audio['settings']['clip_s']:.0%} of a clip ({named(audio['short'])})"
        )
    if not parts:
        return ""
    return f" Padded with more silence than rounding explains: {' and '.join(parts)}."
