"""The test-set accuracy sections: a row per model beside the reference's
accuracy, the mean and spread over seeds, how fine the accuracy is at this
test size, and the per-class results of the best and the worst model.
"""

from __future__ import annotations

from pathlib import Path

from ascflow.report import reference
from ascflow.report.blocks import Block, Figure, Heading, Paragraph, Table
from ascflow.report.gather import Results
from ascflow.report.outputs import ACCURACY, CONFUSION, PER_CLASS_RECALL
from ascflow.report.sections.formatting import (
    accuracy_text,
    duration_text,
    interval_text,
    loss_text,
    mean_sd_text,
    model_size_text,
)
from ascflow.report.sections.runs import best_run, worst_run

REFERENCE_COLUMN = "reference accuracy (on the reference's data)"


def accuracy_table(runs: list[dict], study: bool = True) -> Table:
    """A row per model; with ``study`` (the built-in data) the reference's
    accuracy of the model in the last column."""
    reference_column = (REFERENCE_COLUMN,) if study else ()
    return Table(
        (
            "model",
            "test accuracy",
            "95 % CI",
            "macro-F1",
            "log loss",
            "parameters or tree nodes",
            "training time",
            *reference_column,
        ),
        tuple(
            (
                run["model"],
                accuracy_text(run["accuracy"]),
                interval_text(run["ci95_low"], run["ci95_high"]),
                f"{run['macro_f1']:.4f}",
                loss_text(run.get("log_loss")),
                model_size_text(run),
                duration_text(run.get("train_seconds")),
                *((accuracy_text(reference.ACCURACY.get(run["base_model"])),) if study else ()),
            )
            for run in runs
        ),
        align="L" + "R" * (6 + len(reference_column)),
    )


def aggregate_table(aggregate: list[dict], study: bool = True) -> Table:
    reference_column = (REFERENCE_COLUMN,) if study else ()
    return Table(
        (
            "model",
            "runs",
            "accuracy, mean ± sd",
            "macro-F1, mean ± sd",
            "log loss, mean ± sd",
            *reference_column,
        ),
        tuple(
            (
                row["base_model"],
                str(row["n_runs"]),
                mean_sd_text(row["accuracy_mean"], row.get("accuracy_sd")),
                mean_sd_text(row["macro_f1_mean"], row.get("macro_f1_sd")),
                mean_sd_text(row.get("log_loss_mean"), row.get("log_loss_sd")),
                *((accuracy_text(reference.ACCURACY.get(row["base_model"])),) if study else ()),
            )
            for row in aggregate
        ),
        align="L" + "R" * (4 + len(reference_column)),
    )


def dcase_baseline() -> str:
    """The DCASE 2017 Task 1 baseline the study quotes for scale."""
    dev, evaluation = reference.DCASE2017_BASELINE["development"], reference.DCASE2017_BASELINE["evaluation"]
    return (
        f"the DCASE 2017 Task 1 baseline (log-mel, 40 bands, a small MLP) reached {dev * 100:.1f} % on the "
        f"development folds and {evaluation * 100:.1f} % on the evaluation set of TUT Acoustic Scenes 2017."
    )


def accuracy_resolution(runs: list[dict]) -> str:
    """How fine the accuracy is at this test size, and how wide the intervals."""
    n_test = runs[0]["n_test"]
    widest = max(run["ci95_high"] - run["ci95_low"] for run in runs)
    return (
        f"With {n_test:,} test clips one clip is {1 / n_test:.4f} of accuracy, "
        f"and the widest 95 % interval spans {widest:.3f} (about ±{widest / 2:.3f})."
    )


ACCURACY_INTRO = (
    "One row per trained model. The 95 % confidence interval is Wilson's, for the accuracy as a "
    "proportion of test clips. The log loss is scikit-learn's multi-class log loss of the class "
    "probabilities (lower is better; a clip given probability 0 for its true class costs 36, so "
    "forests, whose trees vote in whole numbers, pay for every confident mistake). A network's "
    "size is its number of trained parameters, a forest's the nodes of all its trees."
)


def accuracy_blocks(results: Results, figures: dict[str, Path]) -> list[Block]:
    """The test accuracy per model; on the built-in data beside the
    reference's, on a user's own data alone (the study's are in the appendix)."""
    runs, study = results.runs, reference.study_in_place(results.data)
    intro = ACCURACY_INTRO + (
        " The last column is the reference study's accuracy, measured on the reference's data, not on "
        "this run's."
        if study
        else ""
    )
    blocks: list[Block] = [Heading("Accuracy on the test set"), Paragraph(intro), accuracy_table(runs, study)]
    if any(row["n_runs"] > 1 for row in results.aggregate):
        blocks += [
            Paragraph("Over the seeds (sample standard deviation across runs):"),
            aggregate_table(results.aggregate, study),
        ]
    blocks += [
        Paragraph(accuracy_resolution(runs) + (f" For scale: {dcase_baseline()}" if study else "")),
        Figure(
            figures[ACCURACY],
            "Test accuracy per model with its 95 % Wilson interval; "
            + ("black diamonds: the reference's accuracy on the reference's data; " if study else "")
            + "dotted line: chance.",
        ),
    ]
    return blocks


def per_class_blocks(runs: list[dict], figures: dict[str, Path]) -> list[Block]:
    best, worst = best_run(runs), worst_run(runs)
    shown = [best] if best is worst else [best, worst]
    blocks: list[Block] = [
        Heading("Per-class results"),
        Figure(figures[PER_CLASS_RECALL], "Recall of each class (share of its test clips classified right)."),
        Paragraph(
            "Confusion matrices of the best and the worst model below; those of every model are in "
            "reports/figures/ and in Snakemake's HTML report."
        ),
    ]
    for run, which in zip(shown, ("best", "worst"), strict=False):
        blocks.append(
            Figure(
                figures[f"{CONFUSION}_{run['model']}"],
                f"Confusion matrix of the {which} model, {run['model']}: counts, shaded by the share of "
                "the true class.",
                width=0.72,
            )
        )
    return blocks
