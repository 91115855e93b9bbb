"""The gather: every chunk's features written, in file order, into the data
folder validation reads, with the scene labels, groups and classes; what the
extraction did, counted and named in warnings; and how validation names
the recordings behind what it finds in those arrays.

Clips that are wholly silent, recordings shorter than their header promises
(truncated) and clips much shorter than ``clip_s``
(:data:`ascflow.data.audio.SHORT_CLIP`) are warnings, named in the
extraction's facts, or errors with ``audio_checks: error``.
"""

from __future__ import annotations

from collections import Counter
from contextlib import ExitStack
from functools import cached_property
from pathlib import Path

import numpy as np

from ascflow.data.audio import SHORT_CLIP
from ascflow.data.audio_folder.chunks import named, read_chunk
from ascflow.data.audio_folder.tables import AUDIO_FOLDER, recording_rows
from ascflow.data.validation import SPLITS, ClipNames
from ascflow.errors import AscflowError
from ascflow.files import atomic_path, write_text

#: The files the gather writes into the data folder, besides ``classes.txt``.
GATHERED = tuple(f"{kind}_{split}.npy" for split in SPLITS for kind in ("X", "y", "groups", "devices"))


class RecordingNames(ClipNames):
    """Validation's names for the arrays gathered from an audio folder: each
    clip is the recording it was extracted from, with the table rows that
    list it (:func:`recording_rows`, read once a sentence needs them)."""

    def __init__(self, manifest: dict):
        self.audio_dir = manifest["audio_dir"]
        self.meta = manifest["meta"]
        self.files = {
            split: [entry["file"] for entry in manifest["files"] if entry["split"] == split]
            for split in SPLITS
        }

    @cached_property
    def rows(self) -> dict[str, str]:
        return recording_rows(self.audio_dir)

    def array(self, stem: str) -> str:
        kind, split = stem.rsplit("_", 1)
        recordings = f"the {'training' if split == 'train' else 'test'} recordings in {self.audio_dir}"
        what = {
            "X": "the features of",
            "y": f"the scene labels {self.meta} gives",
            "groups": "the groups of",
            "devices": "the devices of",
        }
        return f"{what[kind]} {recordings}"

    def clip(self, split: str, index: int) -> str:
        name = self.files[split][index]
        return f"recording {name}" + (f" ({self.rows[name]})" if name in self.rows else "")


def gather_chunks(
    manifest: dict, chunk_files: dict[str, str], settings: dict, out_dir: str | Path, audio_checks: str
) -> dict:
    """Write the chunks' features into ``X_<split>.npy`` in file order, the
    scene labels into ``y_<split>.npy``, the identifiers into
    ``groups_<split>.npy`` (each recording its own group where ``meta.csv``
    has none), the devices into ``devices_<split>.npy`` (empty names unless
    every recording has one) and ``classes.txt``; return the extraction's facts. Every chunk
    must hold the listing's recordings, extracted with ``settings``. Features
    are written into memory-mapped files chunk by chunk, so memory stays
    bounded."""
    from numpy.lib.format import open_memmap

    out_dir = Path(out_dir)
    entries = manifest["files"]
    missing = sorted(set(manifest["chunks"]) - set(chunk_files))
    if missing:
        raise AscflowError(f"chunk {missing[0]} of {manifest['audio_dir']}: has no extracted features.")
    position = {split: 0 for split in SPLITS}
    row_of = []  # (split, row) of each entry, in file order
    for entry in entries:
        row_of.append((entry["split"], position[entry["split"]]))
        position[entry["split"]] += 1

    facts: list[dict] = []
    with ExitStack() as stack:
        partials = {split: stack.enter_context(atomic_path(out_dir / f"X_{split}.npy")) for split in SPLITS}
        arrays: dict[str, np.ndarray] = {}
        for chunk in manifest["chunks"]:
            features, chunk_facts, chunk_settings = read_chunk(chunk_files[chunk])
            if chunk_settings != settings:
                raise AscflowError(
                    f"{chunk_files[chunk]}: was extracted with other settings than the config's audio "
                    "section; delete it and run the workflow again to extract it anew."
                )
            indices = [index for index, entry in enumerate(entries) if entry["chunk"] == chunk]
            expected = [Path(manifest["audio_dir"], entries[index]["file"]) for index in indices]
            shape = arrays["train"].shape[1:] if arrays else features.shape[1:]
            if [Path(fact["path"]) for fact in chunk_facts] != expected or features.shape != (
                len(indices),
                *shape,
            ):
                raise AscflowError(
                    f"{chunk_files[chunk]}: holds other recordings than the listing gives chunk {chunk}; "
                    "delete it and run the workflow again to extract it anew."
                )
            if not arrays:
                arrays = {
                    split: open_memmap(partials[split], mode="w+", dtype=np.float32, shape=(rows, *shape))
                    for split, rows in position.items()
                }
            for offset, index in enumerate(indices):
                split, row = row_of[index]
                arrays[split][row] = features[offset]
            facts += [
                fact | {"file": entries[index]["file"]}
                for index, fact in zip(indices, chunk_facts, strict=True)
            ]
        if audio_checks == "error":
            _refuse_bent_clips(manifest["audio_dir"], facts, settings["clip_s"])
        for array in arrays.values():
            array.flush()
        arrays.clear()  # closes the memory maps before their files are renamed into place
    # Devices where every recording has one (else none: empty names).
    with_devices = all(entry.get("device") for entry in entries)
    for split in SPLITS:
        chosen = [entry for entry in entries if entry["split"] == split]
        devices = [e["device"] if with_devices else "" for e in chosen]
        for kind, values in (
            ("y", [e["label"] for e in chosen]),
            ("groups", [e["group"] for e in chosen]),
            ("devices", devices),
        ):
            with atomic_path(out_dir / f"{kind}_{split}.npy") as partial:
                np.save(partial, np.array(values, dtype=str))
    classes = sorted({entry["label"] for entry in entries})
    write_text(out_dir / "classes.txt", "".join(f"{name}\n" for name in classes))
    return extraction_facts(manifest, facts, settings["clip_s"]) | {"settings": settings}


def _refuse_bent_clips(audio_dir: str, facts: list[dict], clip_s: float) -> None:
    """Under ``audio_checks: error``: stop on the first wholly silent clip,
    truncated recording or short clip (:data:`ascflow.data.audio.SHORT_CLIP`),
    in that order, naming it and how many there are of its kind."""
    silent, truncated, short = (
        [fact for fact in facts if fact[kind]] for kind in ("silent", "truncated", "short")
    )
    if silent:
        raise AscflowError(
            f"{Path(audio_dir, silent[0]['file'])}: is wholly silent ({len(silent)} silent clips in all: "
            f"{named(_files(silent))}); remove them from meta.csv, or set audio_checks: warn to keep them."
        )
    if truncated:
        first = truncated[0]
        raise AscflowError(
            f"{Path(audio_dir, first['file'])}: is truncated, with {first['seconds']:.2f} s of the "
            f"{first['header_seconds']:.2f} s its header promises ({len(truncated)} truncated recordings in "
            f"all: {named(_files(truncated))}); replace them, remove them from meta.csv, or set "
            "audio_checks: warn to pad them with silence."
        )
    if short:
        raise AscflowError(
            f"{Path(audio_dir, short[0]['file'])}: lasts {short[0]['seconds']:.2f} s, under "
            f"{SHORT_CLIP:.0%} of audio.clip_s ({clip_s:g} s) ({len(short)} such clips in all: "
            f"{named(_files(short))}); remove them from meta.csv, lower audio.clip_s, or set "
            "audio_checks: warn to pad them with silence."
        )


def _files(facts: list[dict]) -> list[str]:
    return [fact["file"] for fact in facts]


def extraction_facts(manifest: dict, facts: list[dict], clip_s: float) -> dict:
    """What the extraction did, counted: files per split, clips mixed down,
    resampled, padded and cut, the files' own sample rates and channels, and
    the recordings named in warnings: left out, wholly silent, truncated
    (fewer samples than their header promises) and short (under
    :data:`ascflow.data.audio.SHORT_CLIP` of ``clip_s``, padded with more
    silence than rounding explains)."""
    count = Counter()
    for fact in facts:
        count.update(key for key in ("mixed_down", "resampled", "padded", "cut") if fact[key])
    silent, truncated, short = (
        _files([f for f in facts if f[kind]]) for kind in ("silent", "truncated", "short")
    )
    unlisted = manifest["unlisted"]
    warnings = []
    if unlisted:
        warnings.append(
            f"{len(unlisted)} recordings in {Path(manifest['audio_dir'], AUDIO_FOLDER)} are not listed in "
            f"{manifest['meta']} and were left out: {named(unlisted)}"
        )
    if silent:
        warnings.append(f"{len(silent)} clips are wholly silent: {named(silent)}")
    if truncated:
        warnings.append(
            f"{len(truncated)} recordings hold fewer samples than their header promises (truncated files), "
            f"padded with silence: {named(truncated)}"
        )
    if short:
        warnings.append(
            f"{len(short)} clips are shorter than {SHORT_CLIP:.0%} of audio.clip_s "
            f"({SHORT_CLIP * clip_s:g} of {clip_s:g} s), padded with silence: {named(short)}"
        )
    return {
        "audio_dir": manifest["audio_dir"],
        "meta": manifest["meta"],
        "split_source": manifest["split_source"],
        "groups_from": "identifier" if manifest["has_groups"] else "file",
        "files": {split: sum(entry["split"] == split for entry in manifest["files"]) for split in SPLITS},
        "chunks": len(manifest["chunks"]),
        "chunk_files": manifest["chunk_files"],
        "mixed_down": count["mixed_down"],
        "resampled": count["resampled"],
        "padded": count["padded"],
        "cut": count["cut"],
        "sample_rates": {
            str(rate): n for rate, n in sorted(Counter(f["sample_rate"] for f in facts).items())
        },
        "channels": {
            str(channels): n for channels, n in sorted(Counter(f["channels"] for f in facts).items())
        },
        "silent": silent,
        "truncated": truncated,
        "short": short,
        "short_below_s": SHORT_CLIP * clip_s,
        "unlisted": unlisted,
        "unsplit": len(manifest["unsplit"]),
        "warnings": warnings,
    }
