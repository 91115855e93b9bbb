"""The report's figures, as PNG files.

Figures are drawn on :class:`matplotlib.figure.Figure` objects with the Agg
canvas, never through ``pyplot``: no display, no global state between
figures, and no GUI backend is ever imported. PNGs are written without an
alpha channel, which a PDF would have to carry as a second image (a soft
mask) for nothing.

:func:`ascflow.report.outputs.figure_outputs` names every figure file; each
is drawn by the function its key names (in forked workers:
:mod:`ascflow.report.drawing`).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from PIL import Image

from ascflow.files import atomic_path
from ascflow.models.naming import parse_model_name
from ascflow.report import reference
from ascflow.report.outputs import (
    ACCURACY,
    CONFUSION,
    HISTORY,
    PER_CLASS_RECALL,
    SIGNIFICANCE,
    SWEEP,
    TRAINING,
)

DPI = 150
#: Colours per model family (matplotlib's tab10), the same in every figure.
FAMILY_COLOURS = {"rf": "#2ca02c", "cnn": "#1f77b4", "lstm": "#ff7f0e"}
FAMILY_NAMES = {"rf": "random forest", "cnn": "CNN", "lstm": "LSTM"}
#: Above this many classes the per-cell numbers would be unreadable.
MAX_ANNOTATED_CLASSES = 20


def save_png(figure: Figure, path: str | Path) -> None:
    """The figure as an RGB PNG (no alpha channel, which the PDF would have
    to carry as a second image). Not ``optimize``d: that took a fifth of the
    report's drawing time for files 3 % smaller."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, facecolor="white")
    with atomic_path(path) as partial:
        Image.open(buffer).convert("RGB").save(partial, format="png")


def wrapped(name: str, width: int = 14) -> str:
    """A class name on lines of about ``width`` characters, broken after a
    space or a slash, never inside a word and never cut short
    ("cafe/restaurant" -> "cafe/\nrestaurant")."""
    pieces = re.findall(r"[^ /]+/?|/", name.replace("/ ", "/"))
    lines: list[str] = []
    for piece in pieces:
        joiner = "" if lines and lines[-1].endswith("/") else " "
        if lines and len(lines[-1]) + len(joiner) + len(piece) <= width:
            lines[-1] += joiner + piece
        else:
            lines.append(piece)
    return "\n".join(lines) or name


def plot_accuracy(runs: list[dict], n_classes: int, study: bool = True) -> Figure:
    """Test accuracy per run with its 95 % interval, chance level and, with
    ``study`` (the built-in data), the reference's accuracy beside it."""
    figure = Figure(figsize=(7.0, 3.8), layout="constrained")
    axes = figure.add_subplot()
    positions = np.arange(len(runs))
    accuracy = np.array([run["accuracy"] for run in runs])
    errors = np.array(
        [accuracy - [run["ci95_low"] for run in runs], [run["ci95_high"] for run in runs] - accuracy]
    )
    axes.bar(
        positions,
        accuracy,
        width=0.6,
        color=[FAMILY_COLOURS.get(run["family"], "grey") for run in runs],
        yerr=errors,
        capsize=4,
        error_kw={"elinewidth": 1, "ecolor": "black"},
    )
    # One legend entry per family, not per bar.
    for family in dict.fromkeys(run["family"] for run in runs):
        axes.bar(
            [0],
            [0],
            width=0,
            color=FAMILY_COLOURS.get(family, "grey"),
            label=FAMILY_NAMES.get(family, family),
        )
    for position, value, run in zip(positions, accuracy, runs, strict=True):
        axes.annotate(
            f"{value:.3f}",
            (position, run["ci95_high"]),
            xytext=(0, 4),
            textcoords="offset points",
            ha="center",
            fontsize=7,
        )
    reference_points = [
        (position, reference.ACCURACY[run["base_model"]])
        for position, run in zip(positions, runs, strict=True)
        if study and run["base_model"] in reference.ACCURACY
    ]
    if reference_points:
        axes.scatter(
            *zip(*reference_points, strict=True),
            marker="D",
            s=28,
            color="black",
            zorder=3,
            label="reference (measured on the reference's data)",
        )
    axes.axhline(1 / n_classes, color="grey", linestyle=":", linewidth=1, label=f"chance (1/{n_classes})")
    crowded = len(runs) > 6
    axes.set_xticks(
        positions,
        [run["model"] for run in runs],
        rotation=30 if crowded else 0,
        ha="right" if crowded else "center",
        rotation_mode="anchor",
    )
    axes.set_ylabel("test accuracy")
    highest = max(run["ci95_high"] for run in runs)
    axes.set_ylim(0, min(1.0, max([highest, *(point[1] for point in reference_points)]) + 0.08))
    axes.grid(axis="y", alpha=0.3)
    figure.legend(loc="outside lower center", fontsize=7, frameon=False, ncols=5)
    axes.set_title("Test accuracy per model, with its 95 % Wilson interval", fontsize=10)
    return figure


def plot_training(run: dict, history: list[dict]) -> Figure:
    """Loss and accuracy per epoch, training against validation, with the
    epoch whose weights were kept."""
    figure = Figure(figsize=(7.0, 2.6), layout="constrained")
    loss_axes, accuracy_axes = figure.subplots(1, 2)
    epochs = [row["epoch"] for row in history]
    validation = "test set" if run.get("validation") == "test" else "held-out"
    for axes, metric in ((loss_axes, "loss"), (accuracy_axes, "accuracy")):
        axes.plot(epochs, [row[metric] for row in history], marker="o", markersize=3, label="training")
        axes.plot(
            epochs,
            [row[f"val_{metric}"] for row in history],
            marker="o",
            markersize=3,
            label=f"validation ({validation})",
        )
        if run.get("best_epoch"):
            axes.axvline(run["best_epoch"], color="grey", linestyle=":", linewidth=1, label="weights kept")
        axes.set_xlabel("epoch")
        axes.set_ylabel(metric)
        axes.grid(alpha=0.3)
    accuracy_axes.legend(fontsize=7, frameon=False)
    figure.suptitle(f"{run['model']}: training curves", fontsize=10)
    return figure


def plot_confusion(run: dict) -> Figure:
    """Counts per (true, predicted) class, shaded by the share of the true
    class, so that small classes show their errors as clearly as big ones."""
    matrix = np.asarray(run["confusion_matrix"])
    names = [wrapped(name) for name in run["class_names"]]
    n_classes = len(names)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = np.nan_to_num(matrix / matrix.sum(axis=1, keepdims=True))
    figure = Figure(figsize=(6.4, 5.6), layout="constrained")
    axes = figure.add_subplot()
    image = axes.imshow(shares, cmap="Blues", vmin=0, vmax=1)
    if n_classes <= MAX_ANNOTATED_CLASSES:
        for (row, column), count in np.ndenumerate(matrix):
            if count:
                colour = "white" if shares[row, column] > 0.6 else "black"
                axes.text(column, row, str(count), ha="center", va="center", fontsize=6, color=colour)
    ticks = np.arange(n_classes)
    axes.set_xticks(ticks, names, rotation=60, ha="right", fontsize=7)
    axes.set_yticks(ticks, names, fontsize=7)
    axes.set_xlabel("predicted class")
    axes.set_ylabel("true class")
    figure.colorbar(image, ax=axes, shrink=0.8, label="share of the true class")
    axes.set_title(f"{run['model']}: confusion matrix (test accuracy {run['accuracy']:.4f})", fontsize=10)
    return figure


def plot_per_class_recall(runs: list[dict]) -> Figure:
    """Recall of each class (columns) for each run (rows)."""
    recall = np.array([run["per_class_recall"] for run in runs])
    names = [wrapped(name) for name in runs[0]["class_names"]]
    figure = Figure(figsize=(7.0, 1.4 + 0.32 * len(runs)), layout="constrained")
    axes = figure.add_subplot()
    image = axes.imshow(recall, cmap="viridis", vmin=0, vmax=1, aspect="auto")
    if len(names) <= MAX_ANNOTATED_CLASSES:
        for (row, column), value in np.ndenumerate(recall):
            colour = "black" if value > 0.6 else "white"
            axes.text(column, row, f"{value:.2f}", ha="center", va="center", fontsize=6, color=colour)
    axes.set_xticks(np.arange(len(names)), names, rotation=45, ha="right", fontsize=7)
    axes.set_yticks(np.arange(len(runs)), [run["model"] for run in runs], fontsize=7)
    figure.colorbar(image, ax=axes, label="recall", pad=0.01)
    axes.set_title("Per-class recall on the test set", fontsize=10)
    return figure


def pvalue_matrix(comparisons: dict) -> tuple[list[str], np.ndarray]:
    """The runs of the first seed (or every run, without seeds) and their
    pairwise Holm-adjusted McNemar p-values, NaN on the diagonal."""
    first_seed = parse_model_name(comparisons["models"][0]).seed_suffix
    models = [model for model in comparisons["models"] if parse_model_name(model).seed_suffix == first_seed]
    index = {model: position for position, model in enumerate(models)}
    matrix = np.full((len(models), len(models)), np.nan)
    for pair in comparisons["mcnemar"]:
        if pair["first"] in index and pair["second"] in index:
            i, j = index[pair["first"]], index[pair["second"]]
            matrix[i, j] = matrix[j, i] = pair["p_holm"]
    return models, matrix


def plot_significance(comparisons: dict) -> Figure:
    """Pairwise Holm-adjusted McNemar p-values; bold where below alpha."""
    models, matrix = pvalue_matrix(comparisons)
    size = 1.6 + 0.55 * len(models)
    figure = Figure(figsize=(size + 1.2, size), layout="constrained")
    axes = figure.add_subplot()
    shown = np.where(np.isnan(matrix), 1.0, matrix)
    image = axes.imshow(-np.log10(np.maximum(shown, 1e-12)), cmap="Blues", vmin=0, vmax=4)
    for (row, column), value in np.ndenumerate(matrix):
        if np.isnan(value):
            continue
        significant = value < comparisons["alpha"]
        axes.text(
            column,
            row,
            f"{value:.2g}" if value >= 0.001 else "<0.001",
            ha="center",
            va="center",
            fontsize=7,
            fontweight="bold" if significant else "normal",
            color="white" if -np.log10(max(value, 1e-12)) > 2.5 else "black",
        )
    axes.set_xticks(np.arange(len(models)), models, rotation=45, ha="right", fontsize=7)
    axes.set_yticks(np.arange(len(models)), models, fontsize=7)
    figure.colorbar(image, ax=axes, label="-log10 p (Holm)", shrink=0.8)
    axes.set_title(f"McNemar's exact test, Holm-adjusted (bold: p < {comparisons['alpha']:g})", fontsize=9)
    return figure


def plot_sweep(selection: dict) -> Figure:
    """Validation accuracy of each variant per value of each swept key (the
    mean over folds with its standard deviation when cross-validating); the
    variant kept marked."""
    parameters = selection["parameters"] or ["variant"]
    figure = Figure(figsize=(max(4.5, 3.2 * len(parameters) + 0.8), 3.2), layout="constrained")
    axes_list = figure.subplots(1, len(parameters), sharey=True, squeeze=False)[0]
    for axes, key in zip(axes_list, parameters, strict=True):
        values = list(
            dict.fromkeys(
                str(variant["values"].get(key, variant["run"])) for variant in selection["variants"]
            )
        )
        for variant in selection["variants"]:
            position = values.index(str(variant["values"].get(key, variant["run"])))
            kept = variant["run"] == selection["selected"]
            axes.errorbar(
                position,
                variant["score"],
                yerr=variant.get("cv_sd") or 0,
                fmt="*" if kept else "o",
                markersize=12 if kept else 6,
                color="#d62728" if kept else "#1f77b4",
                capsize=3,
            )
        axes.set_xticks(range(len(values)), values, fontsize=8)
        axes.set_xlim(-0.5, len(values) - 0.5)
        axes.set_xlabel(key)
        axes.grid(axis="y", alpha=0.3)
    basis = "mean over the cv folds" if selection["criterion"] == "cv" else "held-out part"
    axes_list[0].set_ylabel(f"validation accuracy ({basis})")
    figure.suptitle(
        f"{selection['model']}: variants on validation data (star: kept, {selection['selected']})", fontsize=9
    )
    return figure


def plot_learning_curve(rows: list[dict]) -> Figure:
    """Test accuracy (95 % Wilson intervals) against the training clips of
    each nested subset (a log axis), a line per model, coloured by family;
    each point labelled with its fraction of the training set."""
    figure = Figure(figsize=(7.0, 3.4), layout="constrained")
    axes = figure.add_subplot()
    styles = ("-", "--", ":", "-.")
    models = list(dict.fromkeys(row["model"] for row in rows))
    for index, model in enumerate(models):
        own = sorted((row for row in rows if row["model"] == model), key=lambda row: row["n_train"])
        family = parse_model_name(model).family
        axes.errorbar(
            [row["n_train"] for row in own],
            [row["accuracy"] for row in own],
            yerr=[
                [row["accuracy"] - row["ci95_low"] for row in own],
                [row["ci95_high"] - row["accuracy"] for row in own],
            ],
            color=FAMILY_COLOURS.get(family),
            linestyle=styles[index % len(styles)],
            marker="o",
            markersize=4,
            capsize=2,
            linewidth=1,
            label=model,
        )
    fractions = {row["n_train"]: row["fraction"] for row in rows}
    axes.set_xscale("log")
    axes.set_xticks(list(fractions), [f"{n}\n({fractions[n]})" for n in fractions], fontsize=7)
    axes.minorticks_off()
    axes.set_xlabel("training clips (fraction of the training set)")
    axes.set_ylabel("test accuracy")
    axes.grid(alpha=0.3)
    figure.legend(loc="outside right center", fontsize=7, frameon=False)
    axes.set_title("Learning curves: nested subsets of whole recordings (95 % Wilson intervals)", fontsize=9)
    return figure


def plot_no_history() -> Figure:
    """What the earlier-runs figure shows before a second run on the data:
    a sentence, not a line through one point."""
    figure = Figure(figsize=(7.0, 1.0))
    figure.text(
        0.5,
        0.5,
        "No earlier run on this data is recorded yet: nothing to compare over the runs.",
        ha="center",
        va="center",
        fontsize=10,
    )
    return figure


def plot_history(history: dict | None) -> Figure:
    """Each model's test accuracy over the recorded runs on this data, this
    run last; a sentence instead while this run is the only one."""
    if not history or len(history["runs"]) < 2:
        return plot_no_history()
    runs = history["runs"]
    figure = Figure(figsize=(7.0, 3.4), layout="constrained")
    axes = figure.add_subplot()
    models = list(dict.fromkeys(row["model"] for run in runs for row in run))
    for model in models:
        points = [(index, row) for index, run in enumerate(runs, 1) for row in run if row["model"] == model]
        axes.errorbar(
            [index for index, _ in points],
            [row["accuracy"] for _, row in points],
            yerr=[
                [row["accuracy"] - row["ci95_low"] for _, row in points],
                [row["ci95_high"] - row["accuracy"] for _, row in points],
            ],
            marker="o",
            markersize=4,
            capsize=2,
            linewidth=1,
            label=model,
        )
    axes.set_xticks(range(1, len(runs) + 1), [*(str(index) for index in range(1, len(runs))), "this run"])
    axes.set_xlabel("run (in the order recorded)")
    axes.set_ylabel("test accuracy")
    axes.grid(alpha=0.3)
    figure.legend(loc="outside right center", fontsize=7, frameon=False)
    axes.set_title("Test accuracy per model over the runs on this data (95 % Wilson intervals)", fontsize=9)
    return figure


def _run_facts(run: str, by_model: dict[str, dict], sweeps: list[dict]) -> dict:
    """A training run's facts for its training curves: the model's metrics,
    or, for a sweep variant, what its model's choice records of it."""
    if run in by_model:
        return by_model[run]
    for selection in sweeps:
        for variant in selection["variants"]:
            if variant["run"] == run:
                return {"model": run, "validation": "holdout", "best_epoch": variant["best_epoch"]}
    raise ValueError(f"no facts of the training run {run!r}")


def render_figures(
    runs: list[dict],
    histories: dict[str, list[dict]],
    outputs: dict[str, str | Path],
    comparisons: dict,
    sweeps: list[dict] = (),
    history: dict | None = None,
    study: bool = True,
) -> None:
    """Draw each figure named in ``outputs`` (keys as :func:`figure_outputs`
    gives them) from the runs' metrics, the networks' histories, the
    paired comparisons, the sweeps' choices and the history of runs; with
    ``study``, the reference's accuracies beside this run's."""
    by_model = {run["model"]: run for run in runs}
    by_sweep = {selection["model"]: selection for selection in sweeps}
    n_classes = len(runs[0]["class_names"])
    for key, path in outputs.items():
        if key == ACCURACY:
            figure = plot_accuracy(runs, n_classes, study)
        elif key == PER_CLASS_RECALL:
            figure = plot_per_class_recall(runs)
        elif key == SIGNIFICANCE:
            figure = plot_significance(comparisons)
        elif key == HISTORY:
            figure = plot_history(history)
        elif key.startswith(f"{SWEEP}_"):
            figure = plot_sweep(by_sweep[key.removeprefix(f"{SWEEP}_")])
        elif key.startswith(f"{TRAINING}_"):
            model = key.removeprefix(f"{TRAINING}_")
            figure = plot_training(_run_facts(model, by_model, sweeps), histories[model])
        elif key.startswith(f"{CONFUSION}_"):
            figure = plot_confusion(by_model[key.removeprefix(f"{CONFUSION}_")])
        else:
            raise ValueError(f"no figure is called {key!r}")
        save_png(figure, path)
