"""Training of the networks: epochs, the epoch kept, validation, refit and
device per network, how the validation part was split, and the curves.
"""

from __future__ import annotations

from pathlib import Path

from ascflow.models.augment import augment_settings
from ascflow.models.naming import NETWORK_FAMILIES
from ascflow.report import reference
from ascflow.report.blocks import Block, Figure, Heading, Paragraph, Table
from ascflow.report.gather import Results
from ascflow.report.outputs import TRAINING
from ascflow.report.sections.formatting import NOT_APPLICABLE, accuracy_text, duration_text, interval_text
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
    """How the networks' validation part was split, and what it means (how
    much its size tells is :func:`validation_size_sentence`'s)."""
    splits = {run.get("split") for run in runs_of(runs, NETWORK_FAMILIES)} - {None}
    groups = data.get("groups")
    if splits == {"grouped"}:
        return (
            f"The networks validated on a part of the training set that shares no recording with the rest "
            f"({groups['train'] if groups else '?'} recordings in the training set): no recording on both "
            "sides inflates their validation accuracy."
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


#: Below this many clips a validation set cannot tell models apart: its 95 %
#: interval is about ±0.1 wide or wider (±0.098 at 100 clips and accuracy 0.5),
#: more than most differences between the models, their epochs or variants.
MIN_VALIDATION_CLIPS = 100


def validation_size_sentence(networks: list[dict], validation: dict[str, dict]) -> str:
    """How many clips the networks' held-out validation accuracy counts, how
    wide its interval is, and, below :data:`MIN_VALIDATION_CLIPS`, that it
    cannot tell models apart; '' where the sizes are not known."""
    # Validated on the test set (the reference's choice), the warnings say what that is worth.
    sized = [
        (run["model"], validation[run["model"]])
        for run in networks
        if run["model"] in validation and run.get("validation") == "holdout"
    ]
    if not sized:
        return ""
    sizes = sorted({facts["n"] for _, facts in sized})
    widest = max((facts["ci95_high"] - facts["ci95_low"]) / 2 for _, facts in sized)
    counted_text = " or ".join(f"{n:,}" for n in sizes)
    sentence = (
        f"Each network's validation accuracy counts {counted_text} clips; its 95 % Wilson interval, in the "
        f"table, is as wide as ±{widest:.3f}."
    )
    if sizes[0] < MIN_VALIDATION_CLIPS:
        sentence += (
            f" With fewer than {MIN_VALIDATION_CLIPS} clips a validation set cannot tell models apart: a "
            "difference within that interval is noise, so the epoch it kept (and any variant it chose) rests "
            "on little evidence, and its accuracy is no preview of the test accuracy."
        )
    else:
        sentence += " Differences between models smaller than that are noise."
    return sentence


def validation_text(accuracy: float | None, facts: dict | None) -> str:
    """A validation accuracy with its 95 % interval where its size is known."""
    if accuracy is None or facts is None:
        return accuracy_text(accuracy)
    return f"{accuracy_text(accuracy)} ({interval_text(facts['ci95_low'], facts['ci95_high'])})"


def _training_row(run: dict, validation: dict | None) -> tuple[str, ...]:
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
        validation_text(run.get("validation_accuracy"), validation),
        accuracy_text(run["accuracy"]),
        str(settings["batch_size"]),
        str(settings["learning_rate"]),
        duration_text(validation_run.get("train_seconds", run.get("train_seconds"))),
        refit,
        device_text(run),
    )


def augmentation_text(run: dict) -> str:
    """The augmentations of a network's training batches (config ``augment``), or none."""
    return augment_settings(run["settings"].get("augment")).description()


def distillation_sentence(runs: list[dict]) -> str:
    """The distilled CNN (config distill) beside the same network trained
    without distillation; '' where no run distilled."""
    students = [run for run in runs if run.get("settings", {}).get("distill")]
    if not students:
        return ""
    sentences = []
    for student in students:
        distill = student["settings"]["distill"]
        without = next((run for run in runs if run["model"] == "cnn"), None)
        compared = (
            f" Test accuracy with distillation {accuracy_text(student['accuracy'])} "
            f"({interval_text(student['ci95_low'], student['ci95_high'])}), without (cnn, the same network "
            f"on the labels alone) {accuracy_text(without['accuracy'])} "
            f"({interval_text(without['ci95_low'], without['ci95_high'])})."
            if without
            else ""
        )
        teachers, temperature, alpha = (
            ", ".join(distill["teachers"]),
            distill["temperature"],
            distill["alpha"],
        )
        sentences.append(
            f"Knowledge distillation: {student['model']} is the CNN as configured, trained on the labels "
            f"and on the averaged class probabilities of its teachers ({teachers}) for each training clip, "
            f"softened at temperature {temperature:g}, the soft loss weighted {alpha:g} and the labels' "
            f"{1 - alpha:g}. The teachers predicted the training clips they were fitted on; the test set "
            f"played no part.{compared}"
        )
    return " ".join(sentences)


def training_blocks(results: Results, figures: dict[str, Path]) -> list[Block]:
    networks = runs_of(results.runs, NETWORK_FAMILIES)
    if not networks:
        return []
    # A column of its own only where some network's batches were augmented:
    # without augmentation the table is as it was.
    augmented = any("augment" in run["settings"] for run in networks)
    study = (
        f" The reference's CNN stopped after epoch {reference.CNN_EPOCHS_RUN} of "
        f"{reference.TRAINING['cnn']['epochs']} (best: {reference.CNN_BEST_EPOCH}); its LSTM ran all "
        f"{reference.TRAINING['lstm']['epochs']}."
        if reference.study_in_place(results.data)
        else ""
    )
    blocks: list[Block] = [
        Heading("Training of the networks"),
        Paragraph(
            "Epochs run of the most allowed. With early stopping (the CNN) the weights kept are those of "
            "the best epoch by validation accuracy; without it (the LSTM) those of the last epoch." + study
        ),
        Table(
            (
                "model",
                "validated on",
                "epochs",
                "epoch kept",
                "validation accuracy (epoch kept), 95 % CI",
                "test accuracy",
                "batch",
                "learning rate",
                "training time",
                "refit on all training clips",
                "device",
            )
            + (("augmentation of the training batches",) if augmented else ()),
            tuple(
                _training_row(run, results.validation.get(run["model"]))
                + ((augmentation_text(run),) if augmented else ())
                for run in networks
            ),
            align="LLRRRRRRRRL" + ("L" if augmented else ""),
        ),
    ]
    refit = refit_sentence(results.runs)
    if refit:
        blocks.append(Paragraph(refit))
    distilled = distillation_sentence(results.runs)
    if distilled:
        blocks.append(Paragraph(distilled))
    split = split_sentence(results.runs, results.data)
    if split:
        split += " The test set holds other recordings than the training set."
    sized = validation_size_sentence(networks, results.validation)
    if split or sized:
        blocks.append(Paragraph(" ".join(part for part in (split, sized) if part)))
    blocks += [
        Figure(
            figures[f"{TRAINING}_{run.get('trained_as', run['model'])}"],
            f"{run.get('trained_as', run['model'])}: loss and accuracy per epoch (the validation run).",
        )
        for run in networks
    ]
    return blocks
