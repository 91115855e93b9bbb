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
    "log_loss",
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


def multiclass_log_loss(true: np.ndarray, probabilities: np.ndarray) -> float:
    """scikit-learn's multi-class log loss over every class of
    ``probabilities``' columns (a class the labels lack still counts).

    Computed in float64 on rows scaled to sum to 1, so that it does not
    depend on the dtype the probabilities were stored in: scikit-learn clips
    them at that dtype's machine epsilon, and a forest's probability of 0
    for the true class costs -log(2.2e-16) = 36.0 whatever the file held.
    """
    from sklearn.metrics import log_loss

    values = np.asarray(probabilities, dtype=np.float64)
    values = values / values.sum(axis=1, keepdims=True)
    return float(log_loss(true, values, labels=np.arange(values.shape[1])))


def classification_metrics(true: np.ndarray, probabilities: np.ndarray) -> dict:
    """Accuracy with its Wilson 95 % interval, macro-F1, log loss, per-class
    recall and the confusion matrix, from test labels and class probabilities."""
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
        "log_loss": multiclass_log_loss(true, probabilities),
        "per_class_recall": recall_score(
            true, predicted, labels=every_class, average=None, zero_division=0
        ).tolist(),
        "confusion_matrix": matrix.tolist(),
        "n_test": n_test,
    }


def accuracy_by_group(true: np.ndarray, predicted: np.ndarray, groups: list[str]) -> dict[str, dict]:
    """Accuracy with its Wilson interval per group (a recording device, say),
    by group name in sorted order."""
    correct = np.asarray(true) == np.asarray(predicted)
    names = np.asarray(groups, dtype=str)
    table = {}
    for name in sorted(set(names.tolist())):
        hits = correct[names == name]
        low, high = wilson_interval(int(hits.sum()), int(hits.size))
        table[name] = {
            "n": int(hits.size),
            "accuracy": float(hits.mean()),
            "ci95_low": low,
            "ci95_high": high,
        }
    return table


#: The columns summary.tsv gains where the data names each clip's device.
DEVICE_COLUMNS = ("known_device_accuracy", "unseen_device_accuracy", "device_accuracy_sd")


def device_metrics(
    true: np.ndarray, predicted: np.ndarray, devices: np.ndarray, train_devices: np.ndarray
) -> dict:
    """Test accuracy per recording device (:func:`accuracy_by_group`), each
    marked ``unseen`` where no training clip has it; the accuracy, interval
    and clips of the known devices' clips together and of the unseen ones'
    (None without any), and the spread of the per-device accuracies: their
    standard deviation over the devices (population, ddof 0; 0 for one)."""
    devices = np.asarray(devices, dtype=str)
    heard = set(np.asarray(train_devices, dtype=str).tolist())
    per_device = accuracy_by_group(true, predicted, devices.tolist())
    for name, row in per_device.items():
        row["unseen"] = name not in heard
    correct = np.asarray(true) == np.asarray(predicted)
    unseen = ~np.isin(devices, sorted(heard))
    facts: dict = {"per_device": per_device}
    for kind, mask in (("known", ~unseen), ("unseen", unseen)):
        hits = correct[mask]
        low, high = wilson_interval(int(hits.sum()), int(hits.size)) if hits.size else (None, None)
        facts |= {
            f"{kind}_device_accuracy": float(hits.mean()) if hits.size else None,
            f"{kind}_device_ci95_low": low,
            f"{kind}_device_ci95_high": high,
            f"n_{kind}_device": int(hits.size),
        }
    facts["device_accuracy_sd"] = float(np.std([row["accuracy"] for row in per_device.values()]))
    return facts


#: The scores averaged over the runs of a base model, where the runs have them.
AGGREGATED_SCORES = ("accuracy", "macro_f1", "log_loss")


def aggregate_runs(rows: list[dict]) -> list[dict]:
    """Mean and sample standard deviation of each score of
    :data:`AGGREGATED_SCORES` the rows hold, per base model, in the order
    the models first appear (NaN for a single run)."""
    import pandas as pd

    frame = pd.DataFrame(rows)
    grouped = frame.groupby("base_model", sort=False)
    scores = [score for score in AGGREGATED_SCORES if score in frame]
    table = grouped.agg(
        family=("family", "first"),
        n_runs=("accuracy", "size"),
        **{
            f"{score}_{kind}": (score, statistic)
            for score in scores
            for kind, statistic in (("mean", "mean"), ("sd", "std"))
        },
    ).reset_index()
    return [
        {key: (value.item() if hasattr(value, "item") else value) for key, value in row.items()}
        for row in table.to_dict("records")
    ]


def mcnemar_test(first: str, second: str, correct: dict[str, np.ndarray]) -> dict:
    """McNemar's exact test of two models scored on the same test clips
    (``correct``: per model, which clips it got right): the clips only one of
    them got right (the discordant pairs the test reads) and p."""
    from statsmodels.stats.contingency_tables import mcnemar

    a, b = np.asarray(correct[first], bool), np.asarray(correct[second], bool)
    table = [[int((a & b).sum()), int((a & ~b).sum())], [int((~a & b).sum()), int((~a & ~b).sum())]]
    return {
        "first": first,
        "second": second,
        "only_first": table[0][1],
        "only_second": table[1][0],
        "p": float(mcnemar(table, exact=True).pvalue),
    }


def mcnemar_pairs(correct: dict[str, np.ndarray], alpha: float = 0.05) -> list[dict]:
    """McNemar's exact test for every pair of ``correct``'s models,
    Holm-adjusted across the pairs (:func:`holm`)."""
    from itertools import combinations

    return holm([mcnemar_test(first, second, correct) for first, second in combinations(correct, 2)], alpha)


def paired_seed_tests(accuracy: dict[str, dict[int, float]], alpha: float = 0.05) -> list[dict]:
    """A paired t-test over seeds for every pair of base models
    (``accuracy``: per base model, test accuracy by seed), on the seeds both
    ran, Holm-adjusted. A pair whose differences are all equal has p = 1 when
    they are 0 and p = 0 otherwise (the t statistic is then undefined)."""
    from itertools import combinations

    from scipy.stats import ttest_rel

    rows = []
    for first, second in combinations(accuracy, 2):
        seeds = sorted(set(accuracy[first]) & set(accuracy[second]))
        a = np.array([accuracy[first][seed] for seed in seeds])
        b = np.array([accuracy[second][seed] for seed in seeds])
        difference = a - b
        if len(seeds) < 2:
            continue
        if np.allclose(difference, difference[0]):
            p = 1.0 if np.isclose(difference[0], 0) else 0.0
        else:
            p = float(ttest_rel(a, b).pvalue)
        rows.append(
            {
                "first": first,
                "second": second,
                "seeds": seeds,
                "mean_difference": float(difference.mean()),
                "p": p,
            }
        )
    return holm(rows, alpha)


def holm(rows: list[dict], alpha: float) -> list[dict]:
    """Add Holm's step-down adjustment of the rows' p-values (``p_holm``) and
    the verdict at ``alpha`` (``significant``)."""
    if not rows:
        return rows
    from statsmodels.stats.multitest import multipletests

    reject, adjusted, _, _ = multipletests([row["p"] for row in rows], alpha=alpha, method="holm")
    for row, p_holm, significant in zip(rows, adjusted, reject, strict=True):
        row.update(p_holm=float(p_holm), significant=bool(significant))
    return rows
