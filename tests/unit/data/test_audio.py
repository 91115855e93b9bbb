"""What a recording's header promises against what it holds, and clips much
shorter than the clip length: padded as ever, and said."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile
from ascflow.data.audio import SHORT_CLIP, header_frames, read_clip
from support import TINY_SETTINGS as SETTINGS


def truncate(path, keep_bytes: int) -> None:
    """Cut a written file short, as an interrupted copy or download leaves it."""
    path.write_bytes(path.read_bytes()[:keep_bytes])


@pytest.mark.parametrize(("suffix", "subtype"), [("wav", "PCM_16"), ("wav", "FLOAT"), ("aiff", "PCM_24")])
def test_truncated_file_is_told_by_its_header(tmp_path, suffix, subtype):
    path = tmp_path / f"clip.{suffix}"
    samples = np.random.default_rng(0).uniform(-0.5, 0.5, size=(8000, 2))
    soundfile.write(path, samples, 8000, subtype=subtype)
    assert header_frames(path) == 8000
    whole = read_clip(path, SETTINGS)[1]
    assert not whole["truncated"] and whole["header_seconds"] == 1.0

    truncate(path, path.stat().st_size * 3 // 4)
    assert header_frames(path) == 8000  # the header still promises the whole
    signal, facts = read_clip(path, SETTINGS)
    held = soundfile.info(path).frames
    assert facts["truncated"] and facts["padded"] and held < 8000
    assert facts["seconds"] == held / 8000 and signal.shape == (8000,) and not signal[held:].any()


def test_other_formats_promise_nothing_they_could_break(tmp_path):
    path = tmp_path / "clip.flac"
    soundfile.write(path, np.zeros(800), 8000)
    assert header_frames(path) is None
    (tmp_path / "text.wav").write_text("not a header at all")
    assert header_frames(tmp_path / "text.wav") is None


@pytest.mark.parametrize(("seconds", "short"), [(SHORT_CLIP - 0.05, True), (SHORT_CLIP + 0.05, False)])
def test_clip_much_shorter_than_clip_s_is_short(tmp_path, seconds, short):
    path = tmp_path / "clip.wav"
    soundfile.write(path, np.full(round(seconds * 8000), 0.1), 8000)
    facts = read_clip(path, SETTINGS)[1]
    assert facts["padded"] and facts["short"] == short and not facts["truncated"]
