"""How each refitted network's epochs were chosen (cv.choose_epochs_on): on
its held-out part, or on the mean validation curve over the cv folds, and
how uncertain that choice is.
"""

from __future__ import annotations

from ascflow.report.blocks import Block, Heading, Paragraph, Table
from ascflow.report.gather import Results
from ascflow.report.sections.formatting import NOT_APPLICABLE, mean_sd_text


def basis_text(choice: dict) -> str:
    if choice["basis"] == "folds":
        return f"mean over {choice['n_folds']} folds"
    return f"held-out part ({choice['holdout_clips']} clips)"


def fold_epochs_text(choice: dict) -> str:
    """The folds' own best epochs and their range, or – on the held-out part."""
    if choice["basis"] != "folds":
        return NOT_APPLICABLE
    low, high = choice["fold_best_epoch_range"]
    return f"{', '.join(map(str, choice['fold_best_epochs']))} (range {high - low})"


def choice_sentence(choices: list[dict]) -> str:
    """Why: the mode asked for, and the held-out size ``auto`` went by."""
    mode = choices[0]["mode"]
    if mode == "folds":
        why = "cv.choose_epochs_on: folds asks for the mean validation curve over the folds"
    else:
        why = (
            "cv.choose_epochs_on: auto chooses on the folds where the held-out part has fewer than "
            f"{choices[0]['min_holdout_clips']} clips, on the held-out part otherwise"
        )
    return (
        f"Each refitted network trained for the epochs chosen below ({why}). On the folds, every fold "
        "trained all epochs and was validated on its held-out fold after each; the epoch kept has the "
        "highest mean validation accuracy, shown with the folds' standard deviation there, and the folds' "
        "own best epochs show how firmly the data points to it. The test set played no part."
    )


def epoch_choice_blocks(results: Results) -> list[Block]:
    choices = results.epoch_choices
    if not choices:
        return []
    return [
        Heading("How the refit's epochs were chosen"),
        Paragraph(choice_sentence(choices)),
        Table(
            (
                "model",
                "chosen on",
                "epochs",
                "held-out part's best epoch",
                "validation accuracy, mean ± sd",
                "folds' best epochs",
            ),
            tuple(
                (
                    choice["model"],
                    basis_text(choice),
                    str(choice["epoch"]),
                    str(choice["holdout_epoch"]),
                    mean_sd_text(choice.get("mean_accuracy"), choice.get("sd_accuracy"))
                    if choice["basis"] == "folds"
                    else NOT_APPLICABLE,
                    fold_epochs_text(choice),
                )
                for choice in choices
            ),
            align="LLRRRL",
        ),
    ]
