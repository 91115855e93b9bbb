"""Stage export: the training clips that calibrate a network's int8 model."""

from __future__ import annotations

import numpy as np
import pytest
from ascflow.errors import AscflowError
from ascflow.stages.export import representative_set


def test_representative_set_is_seeded_rows_of_the_training_features(tmp_path):
    features = np.arange(20 * 3 * 2, dtype=np.float32).reshape(20, 3, 2)
    np.save(tmp_path / "train.npy", features)
    chosen = representative_set(str(tmp_path / "train.npy"), 5, seed=42)
    assert chosen.shape == (5, 3, 2) and chosen.dtype == np.float32
    rows = chosen[:, 0, 0].astype(int) // 6
    assert list(rows) == sorted(set(rows)) and all(
        np.array_equal(chosen[i], features[r]) for i, r in enumerate(rows)
    )
    np.testing.assert_array_equal(representative_set(str(tmp_path / "train.npy"), 5, seed=42), chosen)
    assert not np.array_equal(representative_set(str(tmp_path / "train.npy"), 5, seed=7), chosen)
    # Fewer clips than asked: all of them, in file order.
    np.testing.assert_array_equal(representative_set(str(tmp_path / "train.npy"), 100, seed=42), features)


def test_no_training_clips_is_one_sentence(tmp_path):
    np.save(tmp_path / "train.npy", np.zeros((0, 3, 2), dtype=np.float32))
    with pytest.raises(
        AscflowError, match=r"train\.npy: holds no training clips to calibrate the int8 model with\.$"
    ):
        representative_set(str(tmp_path / "train.npy"), 5, seed=0)
