"""Training of the networks: epochs, the epoch kept, validation, refit and
device per network, how the validation part was split, and the curves.
"""

from __future__ import annotations

from pathlib import Path

from ascflow.models.naming import NETWORK_FAMILIES
from ascflow.report import reference
from ascflow.report.blocks import Block, Figure, Heading, Paragraph, Table
from ascflow.report.gather import Results
from ascflow.report.outputs import TRAINING
from ascflow.report.sections.formatting import NOT_APPLICABLE, accuracy_text, duration_text
from ascflow.report.sections.runs import runs_of


def device_text(run: dict) -> str:
    """Where a network trained: ``CPU``, or ``GPU`` with the GPU's name."""
    device = run.get("device") or NOT_APPLICABLE
    return f"{device} ({run['device_name']})" if run.get("device_name") else device


def epochs_text(epochs: int) -> str:
    return f"{epochs} epoch" + ("" if epochs == 1 else "s")


def refit_sentence(runs: list[dict]) -> str:
    """Which networks were trained once more on the whole training set; '' if none."""
    refit = [run for run in runs if run.get("refit")]
    if not refit:
        return ""
    described = ", ".join(
        f"{run['model']} ({epochs_text(run['epochs_run'])} on {run['n_train']:,} clips)" for run in refit
    )
    return (
        "Refit after choosing, as scikit-learn's GridSearchCV(refit=True): once validation had chosen the "
        "variant and the epochs, each of these networks was trained once more on the whole training set, "
        f"for those epochs, before the test set was read: {described}. Their validation figures are the "
        "validation run's; their test accuracy is the refit model's."
    )


def split_sentence(runs: list[dict], data: dict) -> str:
    """How the networks' validation part was split, and what it means."""
    splits = {run.get("split") for run in runs_of(runs, NETWORK_FAMILIES)} - {None}
    groups = data.get("groups")
    if splits == {"grouped"}:
        return (
            f"The networks validated on a part of the training set that shares no recording with the rest "
            f"({groups['train'] if groups else '?'} recordings in the training set): their validation "
            "accuracy is an honest preview of the test accuracy."
        )
    if splits == {"clip-level"}:
        why = (
            "clips of one recording sit on both sides of it, so the validation accuracy is optimistic"
            if groups
            else "the data names no recordings (groups_train.npy), so clips of one recording may sit on both "
            "sides and the validation accuracy may be optimistic"
        )
        return f"The networks' validation split is clip-level: {why}."
    return ""


def _training_row(run: dict) -> tuple[str, ...]:
    """A network's row. A refit network's epochs and time are its validation
    run's, where the epochs were chosen; the refit's own are in their column."""
    settings = run["settings"]
    validation_run = run.get("validation_run") or {}
    refit = (
        f"{epochs_text(run['epochs_run'])}, {duration_text(run.get('train_seconds'))}"
        if run.get("refit")
        else "no"
    )
    return (
        run["model"]
        if run.get("trained_as", run["model"]) == run["model"]
        else f"{run['model']} ({run['trained_as']})",
        run.get("validation") or NOT_APPLICABLE,
        f"{validation_run.get('epochs_run', run['epochs_run'])} of {settings['epochs']}",
        str(run.get("best_epoch") or NOT_APPLICABLE),
        accuracy_text(run.get("validation_accuracy")),
        accuracy_text(run["accuracy"]),
        str(settings["batch_size"]),
        str(settings["learning_rate"]),
        duration_text(validation_run.get("train_seconds", run.get("train_seconds"))),
        refit,
        device_text(run),
    )


def training_blocks(results: Results, figures: dict[str, Path]) -> list[Block]:
    networks = runs_of(results.runs, NETWORK_FAMILIES)
    if not networks:
        return []
    blocks: list[Block] = [
        Heading("Training of the networks"),
        Paragraph(
            "Epochs run of the most allowed. With early stopping (the CNN) the weights kept are those of "
            "the best epoch by validation accuracy; without it (the LSTM) those of the last epoch. "
            f"The reference's CNN stopped after epoch {reference.CNN_EPOCHS_RUN} of "
            f"{reference.TRAINING['cnn']['epochs']} (best: {reference.CNN_BEST_EPOCH}); its LSTM ran all "
            f"{reference.TRAINING['lstm']['epochs']}."
        ),
        Table(
            (
                "model",
                "validated on",
                "epochs",
                "epoch kept",
                "validation accuracy (epoch kept)",
                "test accuracy",
                "batch",
                "learning rate",
                "training time",
                "refit on all training clips",
                "device",
            ),
            tuple(_training_row(run) for run in networks),
            align="LLRRRRRRRRL",
            widths=(1.5, 1.1, 0.9, 0.8, 1.5, 1.1, 0.7, 1.0, 1.1, 1.4, 1.4),
        ),
    ]
    refit = refit_sentence(results.runs)
    if refit:
        blocks.append(Paragraph(refit))
    split = split_sentence(results.runs, results.data)
    if split:
        blocks.append(Paragraph(split + " The test set holds other recordings than the training set."))
    blocks += [
        Figure(
            figures[f"{TRAINING}_{run.get('trained_as', run['model'])}"],
            f"{run.get('trained_as', run['model'])}: loss and accuracy per epoch (the validation run).",
        )
        for run in networks
    ]
    return blocks
