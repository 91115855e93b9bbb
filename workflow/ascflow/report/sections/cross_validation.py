"""Cross-validation on the training set: each model's fold accuracies and
log losses, summarised beside its single test-set result.
"""

from __future__ import annotations

import statistics

from ascflow.report.blocks import Block, Heading, Paragraph, Table
from ascflow.report.gather import Results
from ascflow.report.sections.formatting import accuracy_text, loss_text, mean_sd_text


def _mean_sd(values: list[float]) -> tuple[float | None, float | None]:
    if not values:
        return None, None
    return statistics.fmean(values), statistics.stdev(values) if len(values) > 1 else None


def fold_summary(folds: list[dict], runs: list[dict]) -> list[dict]:
    """Per model: its fold accuracies, their mean and sample standard
    deviation, the same of its fold log losses (where the folds have them),
    and its test accuracy and log loss, in the order of the runs."""
    rows = []
    for run in runs:
        trained_as = run.get("trained_as", run["model"])  # the variant validation chose
        own = [row for row in sorted(folds, key=lambda row: row["fold"]) if row["model"] == trained_as]
        if own:
            scores = [row["accuracy"] for row in own]
            mean, sd = _mean_sd(scores)
            loss_mean, loss_sd = _mean_sd([row["log_loss"] for row in own if row.get("log_loss") is not None])
            rows.append(
                {
                    "model": run["model"],
                    "folds": scores,
                    "mean": mean,
                    "sd": sd,
                    "log_loss_mean": loss_mean,
                    "log_loss_sd": loss_sd,
                    "test": run["accuracy"],
                    "test_log_loss": run.get("log_loss"),
                    "split": own[0]["split"],
                }
            )
    return rows


def cross_validation_blocks(results: Results) -> list[Block]:
    rows = fold_summary(results.folds, results.runs)
    if not rows:
        return []
    n_folds = len(rows[0]["folds"])
    split = "grouped by recording" if rows[0]["split"] == "grouped" else "clip by clip"
    return [
        Heading("Cross-validation on the training set"),
        Paragraph(
            f"Each model trained on {n_folds} stratified folds of the training set ({split}), each fold a "
            "job of its own, and scored on the fold it left out (accuracy per fold); the mean and sample "
            "standard deviation over the folds, of the accuracy and of the log loss, are shown beside the "
            "model's single test-set result. The test set was not read."
        ),
        Table(
            (
                "model",
                *(f"fold {k}" for k in range(1, n_folds + 1)),
                "mean ± sd",
                "log loss, mean ± sd",
                "test log loss",
                "test accuracy",
            ),
            tuple(
                (
                    row["model"],
                    *(f"{score:.4f}" for score in row["folds"]),
                    mean_sd_text(row["mean"], row["sd"]),
                    mean_sd_text(row["log_loss_mean"], row["log_loss_sd"]),
                    loss_text(row["test_log_loss"]),
                    accuracy_text(row["test"]),
                )
                for row in rows
            ),
            align="L" + "R" * (n_folds + 4),
        ),
    ]
