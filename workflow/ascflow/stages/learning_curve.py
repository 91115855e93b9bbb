"""Stage learning curve: every model trained on nested subsets of the
training set (config ``data_fractions``), scored on the test set, and one
table and figure of accuracy against training clips.

One function per job of ``workflow/rules/learning_curve.smk``: a subset's
clip list (:func:`make_subset_job`), one model on one subset
(:func:`fit_subset_job`), and the table with its figure
(:func:`summarize_learning_curve`). A model on a subset is made as the run
makes it on the whole training set: a forest fitted on its clips; a network
early-stopped on a held-out part of them (whole recordings) and, with
``refit``, trained once more on all of them for the epochs chosen. Its
features are standardized with the subset's own statistics, as a fold's
are. The test set is read only to score the model made.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from ascflow.errors import AscflowError
from ascflow.files import read_json, write_json, write_table
from ascflow.models.naming import FAMILY_LAYOUT, parse_model_name
from ascflow.models.splits import holdout_split
from ascflow.models.subsets import (
    fraction_label,
    nested_subsets,
    read_clip_list,
    subset_facts,
    write_clip_list,
)
from ascflow.stages.crossval import standardized_fold
from ascflow.stages.runtime import Runtime
from ascflow.stages.train import (
    TrainingSettings,
    class_probabilities,
    fit_forest,
    fit_network,
    load_features,
    refit_epochs,
    split_groups,
)

log = logging.getLogger("ascflow")

#: The learning-curve table's columns, in order.
CURVE_COLUMNS = (
    "model",
    "fraction",
    "n_train",
    "n_recordings",
    "accuracy",
    "ci95_low",
    "ci95_high",
    "log_loss",
    "source",
)


# ---- a subset's clip list ----------------------------------------------------


@dataclass(frozen=True)
class SubsetInputs:
    labels: str
    groups: str
    #: Each training clip's device, where the data names them.
    devices: str | None = None


@dataclass(frozen=True)
class SubsetFile:
    subset: str


@dataclass(frozen=True)
class SubsetSettings:
    fraction: str  # its label, as the path names it
    seed: int


@dataclass(frozen=True)
class MakeSubset:
    inputs: SubsetInputs
    outputs: SubsetFile
    settings: SubsetSettings
    runtime: Runtime = field(default_factory=Runtime)


def make_subset_job(job: MakeSubset) -> dict:
    """Write one fraction's clip list: whole recordings, class shares kept,
    a prefix of the one seeded order every fraction takes (so nested)."""
    labels, groups = np.load(job.inputs.labels), np.load(job.inputs.groups, allow_pickle=False)
    devices = np.load(job.inputs.devices, allow_pickle=False) if job.inputs.devices else None
    fraction = float(job.settings.fraction)
    indices = nested_subsets(labels, groups, [fraction], job.settings.seed, devices)[fraction_label(fraction)]
    write_clip_list(job.outputs.subset, indices)
    facts = subset_facts(indices, labels, groups)
    log.info(
        "fraction %s: %d clips of %d recordings (of %d clips)",
        job.settings.fraction,
        facts["n_clips"],
        facts["n_recordings"],
        labels.size,
    )
    return facts


# ---- one model on one subset ------------------------------------------------


@dataclass(frozen=True)
class SubsetTrainingInputs:
    features: str
    labels: str
    groups: str
    summary: str
    subset: str  # the clip list
    test_features: str
    test_labels: str


@dataclass(frozen=True)
class SubsetScores:
    scores: str


@dataclass(frozen=True)
class SubsetTrainingSettings(TrainingSettings):
    fraction: str = "1"
    #: Whether a network is trained once more on the whole subset for the
    #: epochs its held-out part chose (config refit), as the run's are.
    refit: bool = False
    #: How the LSTM's layout views a clip, to standardize its subset.
    time_major: str = "transpose"


@dataclass(frozen=True)
class FitSubset:
    inputs: SubsetTrainingInputs
    outputs: SubsetScores
    settings: SubsetTrainingSettings
    runtime: Runtime = field(default_factory=Runtime)


def _network_on_subset(job: FitSubset, train, groups, n_classes: int):
    """A network made as the run makes one: early-stopped on a held-out part
    of the subset (whole recordings), then with ``refit`` trained again on the
    whole subset for the chosen epochs. Its model and training facts."""
    settings = job.settings
    inner_train, inner_validation = holdout_split(
        train[1], settings.validation["fraction"], settings.seed, groups
    )
    model, _, info = fit_network(
        settings.model,
        settings.settings,
        n_classes,
        (train[0][inner_train], train[1][inner_train]),
        (train[0][inner_validation], train[1][inner_validation]),
        f"{settings.work_dir}/validated" if settings.work_dir else "",
    )
    facts = {"epochs_run": info["epochs_run"], "best_epoch": info["best_epoch"], "refit": False}
    if settings.refit:
        epochs = refit_epochs(info)
        network = settings.settings
        network = replace(network, fitting=replace(network.fitting, epochs=epochs, early_stopping_patience=0))
        model, _, _ = fit_network(
            settings.model,
            network,
            n_classes,
            train,
            None,
            f"{settings.work_dir}/refit" if settings.work_dir else "",
        )
        facts["refit"] = True
    return model, facts


def fit_subset_job(job: FitSubset) -> dict:
    """Train one model on one subset's clips and score it on the test set."""
    from ascflow.evaluation import classification_metrics

    settings = job.settings
    name = parse_model_name(settings.model)
    summary = read_json(job.inputs.summary)
    n_classes = summary["n_classes"]
    labels, all_groups = np.load(job.inputs.labels), np.load(job.inputs.groups)
    indices = read_clip_list(job.inputs.subset)
    if indices[-1] >= labels.size:
        raise AscflowError(
            f"{job.inputs.subset}: names training clip {indices[-1]}, but the training set has {labels.size}."
        )
    features = load_features(job.inputs.features)
    train, test = features[indices], np.asarray(load_features(job.inputs.test_features))
    del features
    if settings.standardize == "per_band":
        train, test = standardized_fold(train, test, FAMILY_LAYOUT[name.family], summary, settings.time_major)
    train = (train, labels[indices])
    groups = split_groups(all_groups, settings.validation or {})
    groups = None if groups is None else groups[indices]
    if name.family == "rf":
        forest, _ = fit_forest(*train, settings.settings, settings.seed, job.runtime.threads)
        probabilities = class_probabilities(forest, test, n_classes)
        facts = {"epochs_run": None, "best_epoch": None, "refit": False}
    else:
        from ascflow.models.network import configure_tensorflow, predict

        configure_tensorflow(job.runtime.threads, settings.seed, settings.gpu)
        model, facts = _network_on_subset(job, train, groups, n_classes)
        probabilities = predict(model, test)
    scores = classification_metrics(np.load(job.inputs.test_labels), probabilities)
    result = {
        "model": settings.model,
        "fraction": settings.fraction,
        "source": "subset",
        **subset_facts(indices, labels, all_groups),
        "n_train": int(indices.size),
        "seed": settings.seed,
        "settings_digest": settings.settings_digest,
        **facts,
        **{
            key: scores[key]
            for key in ("accuracy", "ci95_low", "ci95_high", "log_loss", "macro_f1", "n_test")
        },
    }
    result.pop("n_clips")
    log.info(
        "%s on %s of the training set (%d clips): accuracy %.4f",
        settings.model,
        settings.fraction,
        result["n_train"],
        result["accuracy"],
    )
    write_json(job.outputs.scores, result)
    return result


# ---- the table and its figure -------------------------------------------------


def subset_fraction(path: str | Path) -> str:
    """The fraction a clip list belongs to: ``results/subsets/train_0.25.txt`` -> ``0.25``."""
    return Path(path).stem.removeprefix("train_")


def curve_rows(
    scores: list[dict], reused: list[dict], subset_sizes: dict[str, tuple[int, int]]
) -> list[dict]:
    """One row per model and fraction, by model in the order given, then by
    fraction: a subset job's scores, or (``reused``) the run's own model,
    trained on the whole training set, as the fraction 1 row.
    ``subset_sizes``: per fraction its clips and recordings."""
    rows = [{**row, "source": "subset"} for row in scores]
    for metrics in reused:
        n_train, n_recordings = subset_sizes["1"]
        rows.append(
            {**metrics, "fraction": "1", "n_train": n_train, "n_recordings": n_recordings, "source": "run"}
        )
    order = list(dict.fromkeys(row["model"] for row in [*scores, *reused]))
    rows.sort(key=lambda row: (order.index(row["model"]), float(row["fraction"])))
    return [{column: row.get(column) for column in CURVE_COLUMNS} for row in rows]


@dataclass(frozen=True)
class CurveInputs:
    scores: list[str]  # results/subsets/<fraction>/<model>.json
    subsets: list[str]  # the clip lists
    labels: str  # the training labels and groups, to size the subsets
    groups: str
    #: The run's own metrics, as the fraction 1 row of models whose run
    #: on the whole training set is made as a subset's would be.
    reused: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CurveOutputs:
    table: str
    figure: str


@dataclass(frozen=True)
class SummarizeLearningCurve:
    inputs: CurveInputs
    outputs: CurveOutputs
    runtime: Runtime = field(default_factory=Runtime)


def summarize_learning_curve(job: SummarizeLearningCurve) -> list[dict]:
    """results/learning_curve.tsv and its figure."""
    from ascflow.report.figures import plot_learning_curve, save_png

    labels, groups = np.load(job.inputs.labels), np.load(job.inputs.groups)
    sizes = {}
    for path in job.inputs.subsets:
        facts = subset_facts(read_clip_list(path), labels, groups)
        sizes[subset_fraction(path)] = (facts["n_clips"], facts["n_recordings"])
    rows = curve_rows(
        [read_json(path) for path in job.inputs.scores],
        [read_json(path) for path in job.inputs.reused],
        sizes,
    )
    write_table(job.outputs.table, rows, CURVE_COLUMNS)
    save_png(plot_learning_curve(rows), job.outputs.figure)
    return rows
