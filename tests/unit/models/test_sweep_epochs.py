"""The refit's epochs chosen on the mean validation curve over the folds
(ascflow.models.history: choice_basis, mean_curve, choose_epoch_on_folds)."""

from __future__ import annotations

import pytest
from ascflow.models.history import choice_basis, choose_epoch_on_folds, mean_curve


def curve(accuracies, losses=None):
    losses = losses or [1.0] * len(accuracies)
    return {
        epoch: {"epoch": epoch, "val_accuracy": accuracy, "val_loss": loss}
        for epoch, (accuracy, loss) in enumerate(zip(accuracies, losses, strict=True), 1)
    }


def test_auto_takes_the_folds_below_the_size_and_the_held_out_part_above():
    assert choice_basis("auto", 27, has_folds=True) == "folds"
    assert choice_basis("auto", 100, has_folds=True) == "holdout"
    assert choice_basis("auto", 27, has_folds=True, min_clips=20) == "holdout"
    assert choice_basis("folds", 5000, has_folds=True) == "folds"
    assert choice_basis("holdout", 5, has_folds=True) == "holdout"
    assert choice_basis("folds", 5, has_folds=False) == "holdout"  # no folds ran: nothing else to go by
    with pytest.raises(ValueError):
        choice_basis("test", 5, has_folds=True)


def test_the_mean_curve_over_the_folds_with_its_spread():
    rows = mean_curve([curve([0.2, 0.6, 0.5]), curve([0.4, 0.4, 0.7])])
    assert [row["epoch"] for row in rows] == [1, 2, 3]
    assert rows[1]["val_accuracy_mean"] == pytest.approx(0.5)
    assert rows[1]["val_accuracy_sd"] == pytest.approx(0.1414, abs=1e-4)
    # Only the epochs every fold ran count.
    assert [row["epoch"] for row in mean_curve([curve([0.1, 0.2]), curve([0.1, 0.2, 0.3])])] == [1, 2]


def test_the_epoch_kept_is_the_best_of_the_mean_not_of_one_noisy_fold():
    """Fold 1 alone would keep epoch 2 (as a small held-out part may); the
    mean over three folds keeps epoch 4, and the folds' own best epochs show
    how much one curve wanders."""
    folds = [
        curve([0.3, 0.9, 0.5, 0.6, 0.6]),
        curve([0.3, 0.4, 0.6, 0.8, 0.7]),
        curve([0.2, 0.4, 0.7, 0.8, 0.8]),
    ]
    choice = choose_epoch_on_folds(folds)
    assert choice["epoch"] == 4 and choice["basis"] == "folds" and choice["n_folds"] == 3
    assert choice["mean_accuracy"] == pytest.approx((0.6 + 0.8 + 0.8) / 3)
    assert choice["sd_accuracy"] == pytest.approx(0.11547, abs=1e-5)
    assert choice["fold_best_epochs"] == [2, 4, 4] and choice["fold_best_epoch_range"] == [2, 4]


def test_ties_go_to_the_lower_mean_loss_then_the_earlier_epoch():
    folds = [curve([0.5, 0.5, 0.5], [1.0, 0.8, 0.8]), curve([0.5, 0.5, 0.5], [1.0, 0.8, 0.8])]
    assert choose_epoch_on_folds(folds)["epoch"] == 2
    with pytest.raises(ValueError):
        choose_epoch_on_folds([])
