"""The three layouts, standardization, and the reference's reshape bug."""

import numpy as np
import pytest
from ascflow import AscflowError
from ascflow.features import standardize_clips, to_layout, write_layout


@pytest.fixture
def clips():
    # Every value encodes its (clip, band, frame) so misplacements show.
    n, bands, frames = 3, 4, 6
    clip, band, frame = np.meshgrid(np.arange(n), np.arange(bands), np.arange(frames), indexing="ij")
    return (clip * 10000 + band * 100 + frame).astype(np.float32)


def test_flat_is_one_row_per_clip(clips):
    flat = to_layout(clips, "flat")
    assert flat.shape == (3, 24)
    assert flat[1, 100 // 100 * 6 + 2] == clips[1, 1, 2]


def test_channel_adds_a_trailing_axis(clips):
    channel = to_layout(clips, "channel")
    assert channel.shape == (3, 4, 6, 1) and np.array_equal(channel[..., 0], clips)


def test_time_major_is_a_transpose(clips):
    time_major = to_layout(clips, "time_major")
    assert time_major.shape == (3, 6, 4)
    for frame in range(6):
        for band in range(4):
            assert time_major[2, frame, band] == clips[2, band, frame]


def test_a_reshape_would_fail_the_time_major_check(clips):
    """The reference's reshape gives the right shape but wrong frames."""
    scrambled = to_layout(clips, "time_major", time_major_method="reshape")
    assert scrambled.shape == (3, 6, 4)
    # Frame 0 must hold every band at time 0; the reshape holds band 0 at times 0..3.
    assert not np.array_equal(scrambled[0, 0], clips[0, :, 0])
    assert np.array_equal(to_layout(clips, "time_major")[0, 0], clips[0, :, 0])


def test_unknown_layout_and_method(clips):
    with pytest.raises(AscflowError, match="layout: unknown layout"):
        to_layout(clips, "columns")
    with pytest.raises(AscflowError, match="lstm.time_major: unknown method"):
        to_layout(clips, "time_major", time_major_method="rotate")


def test_standardization_uses_given_statistics(clips):
    mean, std = np.array([0.0, 100, 200, 300]), np.array([1.0, 2, 0, 4])
    result = standardize_clips(clips, mean, std)
    assert result[0, 1, 3] == pytest.approx((103 - 100) / 2)
    assert result[0, 2, 0] == pytest.approx(0.0)  # a constant band is centred, not divided by 0
    assert result.dtype == np.float32


def test_write_layout_streams_float32_that_can_be_memory_mapped(tmp_path, clips, monkeypatch):
    monkeypatch.setattr("ascflow.features.CHUNK_CLIPS", 2)  # several chunks
    source = clips.astype(np.int32)
    shape = write_layout(source, tmp_path / "t.npy", "time_major")
    written = np.load(tmp_path / "t.npy", mmap_mode="r")
    assert shape == written.shape == (3, 6, 4) and written.dtype == np.float32
    assert np.array_equal(written, np.swapaxes(clips, 1, 2))
