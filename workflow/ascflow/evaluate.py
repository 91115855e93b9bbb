"""Test-set metrics with honest uncertainty."""

from __future__ import annotations

import math
import os

import numpy as np

#: Two-sided 95 % normal quantile.
Z_95 = 1.959963984540054

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


def wilson_interval(successes: int, trials: int, z: float = Z_95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion (good near 0 and 1)."""
    if trials == 0:
        return 0.0, 1.0
    p = successes / trials
    denominator = 1 + z**2 / trials
    centre = (p + z**2 / (2 * trials)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / trials + z**2 / (4 * trials**2))
    return max(0.0, centre - half), min(1.0, centre + half)


def confusion_matrix(true: np.ndarray, predicted: np.ndarray, n_classes: int) -> np.ndarray:
    """Rows are true classes, columns predicted ones."""
    matrix = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(matrix, (true, predicted), 1)
    return matrix


def classification_metrics(true: np.ndarray, probabilities: np.ndarray) -> dict:
    """Accuracy with its Wilson 95 % interval, macro-F1, per-class recall and
    the confusion matrix, from test labels and class probabilities."""
    n_classes = probabilities.shape[1]
    predicted = probabilities.argmax(axis=1)
    matrix = confusion_matrix(true, predicted, n_classes)
    correct = int(np.trace(matrix))
    n_test = int(true.size)
    true_positives = np.diag(matrix).astype(float)
    support = matrix.sum(axis=1)
    predicted_count = matrix.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        recall = np.where(support > 0, true_positives / support, 0.0)
        precision = np.where(predicted_count > 0, true_positives / predicted_count, 0.0)
        f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0.0)
    low, high = wilson_interval(correct, n_test)
    # Macro-F1 over the classes present in the test set, as scikit-learn
    # does with labels=the test labels.
    present = support > 0
    return {
        "accuracy": correct / n_test,
        "ci95_low": low,
        "ci95_high": high,
        "macro_f1": float(f1[present].mean()),
        "per_class_recall": recall.tolist(),
        "confusion_matrix": matrix.tolist(),
        "n_test": n_test,
    }


def aggregate_runs(rows: list[dict]) -> list[dict]:
    """Mean and standard deviation of accuracy and macro-F1 per base model."""
    by_base: dict[str, list[dict]] = {}
    for row in rows:
        by_base.setdefault(row["base_model"], []).append(row)
    aggregated = []
    for base, runs in by_base.items():
        accuracy = np.array([run["accuracy"] for run in runs])
        macro_f1 = np.array([run["macro_f1"] for run in runs])
        several = len(runs) > 1  # a sample standard deviation needs two runs
        aggregated.append(
            {
                "base_model": base,
                "family": runs[0]["family"],
                "n_runs": len(runs),
                "accuracy_mean": float(accuracy.mean()),
                "accuracy_sd": float(accuracy.std(ddof=1)) if several else float("nan"),
                "macro_f1_mean": float(macro_f1.mean()),
                "macro_f1_sd": float(macro_f1.std(ddof=1)) if several else float("nan"),
            }
        )
    return aggregated


def write_tsv(path: str, rows: list[dict], columns: tuple[str, ...] | list[str]) -> None:
    """A tab-separated table; None is written as an empty cell."""
    lines = ["\t".join(columns)]
    for row in rows:
        lines.append("\t".join("" if row.get(c) is None else str(row[c]) for c in columns))
    temporary = f"{path}.tmp"
    with open(temporary, "w") as handle:
        handle.write("\n".join(lines) + "\n")
    os.replace(temporary, path)


def write_summary_tables(metrics: list[dict], summary_path: str, aggregate_path: str) -> None:
    """summary.tsv (a row per model run) and aggregate.tsv (per base model)."""
    write_tsv(summary_path, metrics, SUMMARY_COLUMNS)
    aggregated = aggregate_runs(metrics)
    write_tsv(aggregate_path, aggregated, list(aggregated[0]))
