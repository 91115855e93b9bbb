"""A network's training history: one row per epoch, as a CSV file.

Training writes it (after every epoch, for resuming) and the report reads
it; this module imports neither TensorFlow nor scikit-learn, so the report
stays quick to start.
"""

from __future__ import annotations

import math
import os

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
