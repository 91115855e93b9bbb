"""The feature arrays: 3-D, numeric, finite within float32 and of one clip
shape in both splits, each problem counted and located in one sentence; and
the training set's band statistics, read chunk by chunk."""

import numpy as np
import pytest
from ascflow import AscflowError
from ascflow.data.validation import ClipNames, band_statistics, validate_dataset
from ascflow.data.validation.features import check_clip_shapes, check_features
from ascflow.files import CHUNK_CLIPS
from support import rejects, write_set


def _nan_at(*clips):
    x = np.zeros((12, 5, 7), dtype=np.float32)
    for clip, (band, frame) in zip(clips, [(0, 0), (1, 1), (2, 2)], strict=False):
        x[clip, band, frame] = np.nan
    return x


def _inf_at_clip_2():
    x = np.zeros((6, 5, 7), dtype=np.float32)
    x[2, 0, 0] = np.inf
    return x


def _beyond_float32_at_clip_4():
    x = np.zeros((12, 5, 7), dtype=np.float64)
    x[4, 1, 1] = x[7, 0, 0] = 1e39
    return x


# Each bad array (under its file's stem) and the sentence it must give.
BAD_FEATURES = {
    "nan-counted-and-located": (
        {"X_train": _nan_at(5, 9, 9)},
        r"X_train\.npy: 3 values are NaN \(first in clip 5\)",
    ),
    "infinite": ({"X_test": _inf_at_clip_2()}, r"X_test\.npy: 1 values are infinite \(first in clip 2\)"),
    "beyond-float32": (
        {"X_train": _beyond_float32_at_clip_4()},
        r"X_train\.npy: 2 values lie beyond float32's range .*\(first in clip 4\)",
    ),
    "features-not-3d": ({"X_train": np.zeros((12, 35))}, r"X_train\.npy: expected a 3-D array"),
    "features-not-numeric": (
        {"X_train": np.zeros((12, 5, 7), dtype=bool)},
        r"X_train\.npy: expected numeric",
    ),
    "shapes-differ": (
        {"X_test": np.zeros((6, 5, 8), dtype=np.float32)},
        r"X_test\.npy: clips are 5 x 8 .* X_train\.npy's are 5 x 7",
    ),
}


@pytest.mark.parametrize(("arrays", "message"), BAD_FEATURES.values(), ids=BAD_FEATURES)
def test_bad_array_is_refused_in_one_sentence(tmp_path, arrays, message):
    rejects(write_set(tmp_path, **arrays), message)


def test_integer_features_are_accepted(tmp_path):
    summary, *_ = validate_dataset(write_set(tmp_path, X_train=np.ones((12, 5, 7), dtype=np.int16)))
    assert summary["value_range"]["train"] == {"min": 1.0, "max": 1.0}


def test_band_statistics_come_from_training_data(tmp_path):
    train = np.zeros((12, 5, 7), dtype=np.float32)
    train[:, 2, :] = 4.0
    train[::2, 3, :] = 2.0
    summary, *_ = validate_dataset(
        write_set(tmp_path, X_train=train, X_test=np.full((6, 5, 7), 100, np.float32))
    )
    assert summary["train_band_mean"] == pytest.approx([0, 0, 4, 1, 0])
    assert summary["train_band_std"] == pytest.approx([0, 0, 0, 1, 0])


def test_band_statistics_over_several_chunks_are_numpy_s():
    features = np.random.default_rng(2).normal(3.0, 2.0, size=(CHUNK_CLIPS + 5, 4, 3)).astype(np.float32)
    mean, std = band_statistics(features)
    np.testing.assert_allclose(mean, features.astype(np.float64).mean(axis=(0, 2)), rtol=1e-10)
    np.testing.assert_allclose(std, features.astype(np.float64).std(axis=(0, 2)), rtol=1e-8)


def test_value_range_and_a_problem_in_a_later_chunk():
    features = np.zeros((CHUNK_CLIPS + 3, 2, 2), dtype=np.float32)
    features[1, 0, 0], features[CHUNK_CLIPS + 1, 1, 1] = -2.5, 7.0
    assert check_features("train", features, ClipNames()) == {"min": -2.5, "max": 7.0}
    features[CHUNK_CLIPS + 2, 0, 1] = np.nan
    with pytest.raises(
        AscflowError, match=rf"^X_train\.npy: 1 values are NaN \(first in clip {CHUNK_CLIPS + 2}\)\.$"
    ):
        check_features("train", features, ClipNames())


def test_complex_and_empty_features_are_refused():
    with pytest.raises(AscflowError, match=r"^X_test\.npy: expected real values, got dtype complex64\.$"):
        check_features("test", np.zeros((2, 3, 4), dtype=np.complex64), ClipNames())
    with pytest.raises(AscflowError, match=r"^X_train\.npy: the array is empty \(shape \(2, 0, 4\)\)\.$"):
        check_features("train", np.zeros((2, 0, 4), dtype=np.float32), ClipNames())


def test_clips_of_one_shape_pass_whatever_their_number():
    check_clip_shapes(np.zeros((5, 3, 4)), np.zeros((2, 3, 4)), ClipNames())
    with pytest.raises(AscflowError, match=r"^X_test\.npy: clips are 4 x 4 \(features x time\)"):
        check_clip_shapes(np.zeros((5, 3, 4)), np.zeros((2, 4, 4)), ClipNames())
