"""Test-set metrics with honest uncertainty, by SciPy and scikit-learn.

Pure functions of labels and predictions: the evaluation stage writes what
they return, and the report reads it.
"""

from __future__ import annotations

import numpy as np

#: The columns of results/metrics/summary.tsv, one row per model run.
SUMMARY_COLUMNS = (
    "model",
    "base_model",
    "family",
    "seed",
    "accuracy",
    "ci95_low",
    "ci95_high",
    "macro_f1",
    "n_test",
    "n_params",
    "tree_nodes",
    "train_seconds",
    "epochs_run",
    "validation",
    "time_major",
)


def wilson_interval(successes: int, trials: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion (good near 0 and 1)."""
    if trials == 0:
        return 0.0, 1.0
    from scipy.stats import binomtest

    interval = binomtest(successes, trials).proportion_ci(confidence_level=confidence, method="wilson")
    return float(interval.low), float(interval.high)


def classification_metrics(true: np.ndarray, probabilities: np.ndarray) -> dict:
    """Accuracy with its Wilson 95 % interval, macro-F1, per-class recall and
    the confusion matrix, from test labels and class probabilities."""
    from sklearn.metrics import confusion_matrix, f1_score, recall_score

    n_classes = probabilities.shape[1]
    every_class = np.arange(n_classes)
    predicted = probabilities.argmax(axis=1)
    matrix = confusion_matrix(true, predicted, labels=every_class)
    correct = int(np.trace(matrix))
    n_test = int(true.size)
    low, high = wilson_interval(correct, n_test)
    return {
        "accuracy": correct / n_test,
        "ci95_low": low,
        "ci95_high": high,
        # Over the classes present in the test set: a class the test set
        # lacks has no recall, and would count as an F1 of 0.
        "macro_f1": float(
            f1_score(true, predicted, labels=np.unique(true), average="macro", zero_division=0)
        ),
        "per_class_recall": recall_score(
            true, predicted, labels=every_class, average=None, zero_division=0
        ).tolist(),
        "confusion_matrix": matrix.tolist(),
        "n_test": n_test,
    }


def aggregate_runs(rows: list[dict]) -> list[dict]:
    """Mean and sample standard deviation of accuracy and macro-F1 per base
    model, in the order the models first appear (NaN for a single run)."""
    import pandas as pd

    frame = pd.DataFrame(rows)
    grouped = frame.groupby("base_model", sort=False)
    table = grouped.agg(
        family=("family", "first"),
        n_runs=("accuracy", "size"),
        accuracy_mean=("accuracy", "mean"),
        accuracy_sd=("accuracy", "std"),
        macro_f1_mean=("macro_f1", "mean"),
        macro_f1_sd=("macro_f1", "std"),
    ).reset_index()
    return [
        {key: (value.item() if hasattr(value, "item") else value) for key, value in row.items()}
        for row in table.to_dict("records")
    ]
