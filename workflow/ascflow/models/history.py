"""A network's training history: one row per epoch, as a CSV file.

Training writes it (after every epoch, for resuming) and the report reads
it; this module imports neither TensorFlow nor scikit-learn, so the report
stays quick to start.
"""

from __future__ import annotations

import math
import os
import statistics

from ascflow.files import read_table, write_table

HISTORY_COLUMNS = ("epoch", "loss", "accuracy", "val_loss", "val_accuracy", "seconds")
#: The metric early stopping and the epoch kept go by.
MONITOR = "val_accuracy"


def read_history(path: str | os.PathLike) -> dict[int, dict]:
    """Rows by epoch; empty when the file does not exist (yet)."""
    if not os.path.isfile(path):
        return {}
    return {int(row["epoch"]): row for row in read_table(path)}


def write_history(path: str | os.PathLike, rows: dict[int, dict]) -> None:
    """The whole history, rewritten in epoch order (atomically)."""
    write_table(path, [rows[epoch] for epoch in sorted(rows)], HISTORY_COLUMNS)


def best_epoch(rows: dict[int, dict]) -> int | None:
    """The first epoch with the highest validation accuracy (as Keras picks)."""
    best, best_value = None, -math.inf
    for epoch in sorted(rows):
        if rows[epoch][MONITOR] > best_value:
            best, best_value = epoch, rows[epoch][MONITOR]
    return best


# ---- the epochs a refit trains, chosen on validation data ---------------------

#: How the refit's epochs are chosen (config cv.choose_epochs_on).
CHOICE_MODES = ("holdout", "folds", "auto")
#: Below this many held-out clips, ``auto`` chooses on the cv folds: one
#: clip is then a whole point of validation accuracy or more, and the best
#: epoch of one noisy curve is a poor guide (issue 31: 27 clips chose 12 of
#: 50 epochs, a test accuracy 0.05 below training all 50).
MIN_HOLDOUT_CLIPS = 100


def choice_basis(mode: str, holdout_clips: int, has_folds: bool, min_clips: int = MIN_HOLDOUT_CLIPS) -> str:
    """Where the epochs are chosen: ``holdout`` (the held-out part's own
    curve) or ``folds`` (the mean curve over the cv folds). ``auto`` takes
    the folds when there are any and the held-out part has fewer than
    ``min_clips`` clips."""
    if mode not in CHOICE_MODES:
        raise ValueError(f"unknown choice mode {mode!r}")
    if not has_folds:
        return "holdout"
    if mode == "folds" or (mode == "auto" and holdout_clips < min_clips):
        return "folds"
    return "holdout"


def mean_curve(curves: list[dict[int, dict]]) -> list[dict]:
    """Per epoch that every fold ran, the mean and sample standard deviation
    of the folds' validation accuracy and loss, in epoch order."""
    if not curves:
        return []
    epochs = sorted(set.intersection(*(set(curve) for curve in curves)))
    rows = []
    for epoch in epochs:
        row = {"epoch": epoch, "n_folds": len(curves)}
        for metric in ("val_accuracy", "val_loss"):
            values = [float(curve[epoch][metric]) for curve in curves]
            mean = statistics.fmean(values)
            sd = statistics.stdev(values) if len(values) > 1 else None
            row[f"{metric}_mean"], row[f"{metric}_sd"] = mean, sd
        rows.append(row)
    return rows


def choose_epoch_on_folds(curves: list[dict[int, dict]]) -> dict:
    """The epoch with the highest mean validation accuracy over the folds
    (ties: the lower mean validation loss, then the earlier epoch), and how
    uncertain it is: the folds' accuracy spread there (their standard
    deviation) and each fold's own best epoch with their range."""
    rows = mean_curve(curves)
    if not rows:
        raise ValueError("no fold curves to choose on")
    chosen = min(rows, key=lambda row: (-row["val_accuracy_mean"], row["val_loss_mean"], row["epoch"]))
    per_fold = [best_epoch(curve) for curve in curves]
    return {
        "basis": "folds",
        "epoch": chosen["epoch"],
        "n_folds": len(curves),
        "mean_accuracy": chosen["val_accuracy_mean"],
        "sd_accuracy": chosen["val_accuracy_sd"],
        "mean_loss": chosen["val_loss_mean"],
        "fold_best_epochs": per_fold,
        "fold_best_epoch_range": [min(per_fold), max(per_fold)],
        "curve": rows,
    }
