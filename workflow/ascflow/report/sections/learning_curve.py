"""Learning curves: every model's test accuracy on nested subsets of the
training set (config data_fractions), as a table, a figure and a sentence
per model on what the data bought.
"""

from __future__ import annotations

from pathlib import Path

from ascflow.report.blocks import Block, Figure, Heading, Paragraph, Table
from ascflow.report.gather import Results
from ascflow.report.sections.formatting import accuracy_text, count_text, interval_text, loss_text


def percent_text(fraction) -> str:
    """A fraction of the training set as a percentage: 0.05 -> 5 %."""
    return f"{float(fraction) * 100:g} %"


def model_rows(rows: list[dict]) -> dict[str, list[dict]]:
    """Each model's rows, smallest subset first, models in table order."""
    by_model: dict[str, list[dict]] = {}
    for row in rows:
        by_model.setdefault(row["model"], []).append(row)
    return {model: sorted(own, key=lambda row: float(row["fraction"])) for model, own in by_model.items()}


def curve_sentence(model: str, own: list[dict]) -> str:
    """What a model gained from its smallest subset to its largest, and
    whether the two intervals overlap (then the data cannot tell them apart)."""
    first, last = own[0], own[-1]
    if len(own) == 1:
        share = percent_text(first["fraction"])
        return f"{model}: {accuracy_text(first['accuracy'])} on {share} of the training set."
    change = last["accuracy"] - first["accuracy"]
    overlap = first["ci95_high"] >= last["ci95_low"] and last["ci95_high"] >= first["ci95_low"]
    verdict = (
        "their 95 % intervals overlap, so this test set cannot tell the two apart"
        if overlap
        else "their 95 % intervals do not overlap"
    )
    return (
        f"{model}: {accuracy_text(first['accuracy'])} on {percent_text(first['fraction'])} "
        f"({count_text(first['n_train'])} clips) to {accuracy_text(last['accuracy'])} on "
        f"{percent_text(last['fraction'])} ({count_text(last['n_train'])} clips), "
        f"{change:+.3f}; {verdict}."
    )


def learning_curve_blocks(results: Results) -> list[Block]:
    rows = results.learning_curve
    if not rows:
        return []
    by_model = model_rows(rows)
    reused = any(row["source"] == "run" for row in rows)
    blocks: list[Block] = [
        Heading("Learning curves"),
        Paragraph(
            "Every model was also trained on nested subsets of the training set (config data_fractions), "
            "each model and subset a job of its own, and scored on the whole test set. A subset is made of "
            "whole recordings, keeps each class's share of the training clips (to within one recording) "
            "and lies inside every larger one (clip lists: results/subsets/). A model on a subset is made "
            "as the run makes it on the whole training set, its features standardized with the subset's "
            "own statistics; the test set played no part in making it."
            + (" At 100 % the point is the run's own model, evaluated above." if reused else "")
        ),
        Table(
            ("model", "fraction", "training clips", "recordings", "accuracy", "95 % interval", "log loss"),
            tuple(
                (
                    row["model"],
                    percent_text(row["fraction"]),
                    count_text(row["n_train"]),
                    count_text(row["n_recordings"]),
                    accuracy_text(row["accuracy"]),
                    interval_text(row["ci95_low"], row["ci95_high"]),
                    loss_text(row["log_loss"]),
                )
                for own in by_model.values()
                for row in own
            ),
            align="LRRRRRR",
        ),
        Paragraph(" ".join(curve_sentence(model, own) for model, own in by_model.items())),
    ]
    if results.learning_curve_figure:
        blocks.append(
            Figure(
                Path(results.learning_curve_figure),
                "Test accuracy against the training clips of each nested subset (95 % Wilson intervals).",
            )
        )
    return blocks
