"""ascflow.models.history: the epochs' records and the best epoch, which
early stopping and the refit read."""

from ascflow.models.history import best_epoch


def test_best_epoch_is_the_first_of_equal_bests():
    rows = {e: {"val_accuracy": v} for e, v in [(1, 0.2), (2, 0.5), (3, 0.5), (4, 0.4)]}
    assert best_epoch(rows) == 2
