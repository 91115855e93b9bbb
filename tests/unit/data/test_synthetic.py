"""The built-in data: deterministic, the right shape, balanced, and hard."""

import numpy as np
import pytest
from ascflow.data.synthetic import (
    CONFUSABLE_PAIRS,
    TUT_SCENE_CLASSES,
    class_names,
    generate_default_data,
    scene_profiles,
)


@pytest.fixture(scope="module")
def small_set(tmp_path_factory):
    folder = tmp_path_factory.mktemp("synthetic")
    return generate_default_data(
        folder, n_train=60, n_test=30, n_features=16, n_frames=50, n_classes=15, seed=3
    )


def test_shapes_dtypes_and_class_names(small_set):
    x_train, y_train = np.load(small_set["X_train"]), np.load(small_set["y_train"])
    assert x_train.shape == (60, 16, 50) and x_train.dtype == np.float32
    assert np.load(small_set["X_test"]).shape == (30, 16, 50)
    assert y_train.dtype == np.int64 and set(y_train) == set(range(15))
    assert small_set["classes"].read_text().splitlines() == list(TUT_SCENE_CLASSES)
    assert np.isfinite(x_train).all()


def test_classes_are_balanced(small_set):
    counts = np.bincount(np.load(small_set["y_train"]), minlength=15)
    assert counts.max() - counts.min() <= 1


def test_same_seed_same_bytes_other_seed_other_data(tmp_path, small_set):
    again = generate_default_data(
        tmp_path / "a", n_train=60, n_test=30, n_features=16, n_frames=50, n_classes=15, seed=3
    )
    other = generate_default_data(
        tmp_path / "b", n_train=60, n_test=30, n_features=16, n_frames=50, n_classes=15, seed=4
    )
    for stem in ("X_train", "y_train", "X_test", "y_test"):
        assert again[stem].read_bytes() == small_set[stem].read_bytes()
    assert not np.array_equal(np.load(other["X_train"]), np.load(small_set["X_train"]))


def test_train_and_test_clips_differ(small_set):
    train = np.load(small_set["X_train"]).reshape(60, -1)
    test = np.load(small_set["X_test"]).reshape(30, -1)
    assert not any((train == clip).all(axis=1).any() for clip in test)


def test_confusable_pairs_share_their_background():
    profiles = dict(zip(class_names(15), scene_profiles(15, 40, seed=0), strict=True))
    for first, second in CONFUSABLE_PAIRS:
        pair_gap = np.abs(profiles[first].envelope_db - profiles[second].envelope_db).mean()
        unrelated_gap = np.abs(profiles[first].envelope_db - profiles["beach"].envelope_db).mean()
        assert pair_gap < unrelated_gap


def test_generic_names_past_fifteen_classes():
    names = class_names(17)
    assert names[:15] == list(TUT_SCENE_CLASSES) and names[15:] == ["class_15", "class_16"]


def test_clips_of_one_recording_are_near_twins(tmp_path):
    """What makes a clip-level split optimistic: a clip is closer to the
    other clips of its recording than to other recordings of its class."""
    paths = generate_default_data(
        tmp_path,
        n_train=120,
        n_test=60,
        n_features=16,
        n_frames=50,
        n_classes=3,
        seed=5,
        clips_per_recording=10,
    )
    x, y, groups = (np.load(paths[stem]) for stem in ("X_train", "y_train", "groups_train"))
    test_groups = np.load(paths["groups_test"])
    assert np.intersect1d(groups, test_groups).size == 0  # no recording in both splits
    assert all(np.unique(y[groups == group]).size == 1 for group in np.unique(groups))  # one scene each
    assert np.bincount(np.bincount(groups)).nonzero()[0].tolist() == [10]  # 10 clips per recording
    profile = x.mean(axis=2)  # each clip's mean spectrum
    within, across = [], []
    for index in range(len(y)):
        same_class = y == y[index]
        distance = np.abs(profile - profile[index]).mean(axis=1)
        within.append(distance[(groups == groups[index]) & (np.arange(len(y)) != index)].mean())
        across.append(distance[same_class & (groups != groups[index])].mean())
    assert np.mean(within) < 0.5 * np.mean(across)
