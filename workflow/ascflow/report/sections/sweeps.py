"""The sweeps: every variant of a swept model on validation data, and why
the one kept was kept without the test set.
"""

from __future__ import annotations

from pathlib import Path

from ascflow.report.blocks import Block, Figure, Heading, Paragraph, Table
from ascflow.report.gather import Results
from ascflow.report.outputs import SWEEP
from ascflow.report.sections.formatting import (
    NOT_APPLICABLE,
    accuracy_text,
    duration_text,
    interval_text,
    mean_sd_text,
    model_size_text,
)


def sweep_choice(selection: dict, validation: dict | None = None) -> str:
    """How a swept model's variant was chosen, and that the test set had no
    part in it; with ``validation`` (the held-out part's size and the kept
    variant's interval) whether that part tells the next best apart."""
    variants = selection["variants"]
    kept = variants[0]
    if selection["criterion"] == "cv":
        basis = f"the mean accuracy over its {kept['n_folds']} cross-validation folds of the training set"
    else:
        basis = "its accuracy on the held-out part of the training set"
    runner_up = (
        f"; the next best, {variants[1]['run']}, scored {variants[1]['score']:.4f}"
        if len(variants) > 1
        else ""
    )
    return (
        f"{selection['model']}: {len(variants)} variants of {', '.join(selection['parameters'])}, ranked by "
        f"{basis}. Kept: {selection['selected']} ({kept['score']:.4f}){runner_up}. The test set played no "
        "part in the choice: only the kept variant was evaluated on it." + _told_apart(selection, validation)
    )


def _told_apart(selection: dict, validation: dict | None) -> str:
    """Whether the held-out part tells the kept variant from the next best:
    not where the next best's score lies within the kept one's interval."""
    variants = selection["variants"]
    if selection["criterion"] == "cv" or validation is None or len(variants) < 2:
        return ""
    low, high = validation["ci95_low"], validation["ci95_high"]
    if not low <= variants[1]["score"] <= high:
        return ""
    return (
        f" On {validation['n']:,} held-out clips the kept variant's 95 % interval "
        f"({interval_text(low, high)}) holds the next best's score: validation cannot tell them apart."
    )


def _validation_text(variant: dict) -> str:
    if variant.get("cv_mean") is not None:
        return mean_sd_text(variant["cv_mean"], variant.get("cv_sd"))
    return accuracy_text(variant.get("validation_accuracy"))


def sweep_blocks(results: Results, figures: dict[str, Path]) -> list[Block]:
    """Every variant of each swept model on validation data, and the one kept."""
    if not results.sweeps:
        return []
    blocks: list[Block] = [
        Heading("Sweeps: variants chosen on validation data"),
        Paragraph(
            "Each swept model trained every variant of its sweep as a job of its own and kept the one with "
            "the best validation accuracy; only that one was evaluated on the test set and compared with "
            "the other models above. Validation: the held-out part of the training set, or the mean ± "
            "standard deviation over the cross-validation folds."
        ),
    ]
    for selection in results.sweeps:
        criterion = (
            "validation accuracy (cv mean ± sd)" if selection["criterion"] == "cv" else "validation accuracy"
        )
        blocks += [
            Heading(selection["model"], level=2),
            Paragraph(sweep_choice(selection, results.validation.get(selection["model"]))),
            Table(
                (
                    "variant",
                    *selection["parameters"],
                    criterion,
                    "epoch kept",
                    "training time",
                    "size",
                    "kept",
                ),
                tuple(
                    (
                        variant["run"],
                        *(str(variant["values"].get(key)) for key in selection["parameters"]),
                        _validation_text(variant),
                        str(variant.get("best_epoch") or NOT_APPLICABLE),
                        duration_text(variant.get("train_seconds")),
                        model_size_text(variant),
                        "kept" if variant["run"] == selection["selected"] else "",
                    )
                    for variant in selection["variants"]
                ),
                align="L" + "R" * (len(selection["parameters"]) + 4) + "L",
            ),
            Figure(
                figures[f"{SWEEP}_{selection['model']}"],
                f"{selection['model']}: validation accuracy per swept value; the star marks the one kept.",
            ),
        ]
    return blocks
