"""Stage train: a random forest, or a CNN or LSTM, from the training features;
the refit of the network validation chose. The fits themselves are shared
with cross-validation (:mod:`ascflow.stages.crossval`).

Each job function is one job of ``workflow/rules/train.smk``: paths and the
rule's params in (a run's settings typed as :class:`ForestSettings` or
:class:`NetworkSettings` where its request is built), the model and its
``.train.json`` facts out. Only ``validation.mode: test`` (the reference's
flawed choice) lets training read the test set; cross-validation, the choice
among sweep variants and the refit never do.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np

from ascflow.errors import AscflowError
from ascflow.files import atomic_path, file_digest, read_json, write_json
from ascflow.models.history import write_history
from ascflow.models.naming import parse_model_name
from ascflow.models.settings import ForestSettings, NetworkSettings, network_settings, run_settings
from ascflow.models.splits import holdout_split, is_grouped
from ascflow.stages.runtime import Runtime, progress_log, usable_threads

if TYPE_CHECKING:
    from ascflow.models.network import Student

log = logging.getLogger("ascflow")


def load_features(path: str) -> np.ndarray:
    """Memory-map a feature file written by ``make_features``."""
    return np.load(path, mmap_mode="r", allow_pickle=False)


def provenance(summary_path: str, settings_digest: str, model_path: str) -> dict:
    """What a trained model belongs to: the data it was trained on, the
    settings it was made with, and its own bytes (checked at evaluation)."""
    return {
        "data_fingerprint": read_json(summary_path)["fingerprint"],
        "settings_digest": settings_digest,
        "model_sha256": file_digest(model_path),
    }


def split_groups(groups: np.ndarray, validation: dict) -> np.ndarray | None:
    """The groups the splits keep together: none when the config asks for a
    clip-level split (validation.grouped: false), to measure its optimism."""
    return groups if validation.get("grouped", True) else None


def split_kind(groups: np.ndarray | None) -> str:
    return "grouped" if is_grouped(groups) else "clip-level"


def fit_forest(features, labels, settings: ForestSettings, seed: int, threads: int):
    from ascflow.models.forest import train_forest

    return train_forest(features, labels, settings, seed, usable_threads(threads))


def class_probabilities(forest, features, n_classes: int) -> np.ndarray:
    """A forest's probabilities with a column for every class, also those its
    part of the training set lacked."""
    probabilities = np.zeros((features.shape[0], n_classes), dtype=np.float32)
    probabilities[:, forest.classes_] = forest.predict_proba(features)
    return probabilities


@dataclass(frozen=True)
class TrainingInputs:
    features: str
    labels: str
    summary: str
    groups: str | None = None  # the networks' held-out split and the folds keep groups together
    #: The reference's validation mode "test" only.
    test_features: str | None = None
    test_labels: str | None = None
    #: The distilled CNN's teachers' probabilities of every training clip.
    teachers: str | None = None


@dataclass(frozen=True)
class TrainedModel:
    model: str
    info: str
    history: str | None = None  # a network's, one row per epoch


def _run_settings(section: dict, params: dict) -> ForestSettings | NetworkSettings:
    return run_settings(params["model"], section)


@dataclass(frozen=True)
class TrainingSettings:
    """What shapes a trained model besides the data (the plan's training facts)."""

    model: str  # its name: rf_<trees>, cnn, lstm (_seed<k>)
    #: A forest's tree count and rf keys, or the network's config section
    #: (as the plan gives them), typed by the model's family.
    settings: ForestSettings | NetworkSettings = field(metadata={"parse": _run_settings})
    seed: int
    standardize: str = "per_band"  # recorded: how its features were made
    settings_digest: str = ""
    validation: dict = field(default_factory=dict)  # a network's held-out split
    gpu: bool | str = "auto"
    tensorboard_dir: str = ""  # "": no TensorBoard logs
    #: Per-epoch checkpoints (weights, optimizer, history), written by rename:
    #: a retried or re-run job resumes from the last one.
    work_dir: str = ""


@dataclass(frozen=True)
class TrainModel:
    inputs: TrainingInputs
    outputs: TrainedModel
    settings: TrainingSettings
    runtime: Runtime = field(default_factory=Runtime)


def fit_forest_job(job: TrainModel) -> dict:
    """A forest of ``settings.settings`` (:class:`ForestSettings`). With
    ``settings.validation`` (a swept forest's, to rank its variants) the
    forest is first fitted on the training part of the held-out split and
    scored on the held-out part; the model kept is fitted on the whole
    training set."""
    import joblib

    settings, rf = job.settings, job.settings.settings
    features, labels = load_features(job.inputs.features), np.load(job.inputs.labels)
    held_out = {"validation": None, "validation_fraction": None, "split": None, "validation_accuracy": None}
    if settings.validation:
        held_out = _forest_validation(job, features, labels)
    forest, info = fit_forest(features, labels, rf, settings.seed, job.runtime.threads)
    log.info(
        "%d trees, %d nodes, %.1f s",
        rf.n_estimators,
        info["tree_nodes"],
        info["train_seconds"],
    )
    with atomic_path(job.outputs.model) as partial:
        joblib.dump(forest, partial)
    info.update(
        seed=settings.seed,
        **held_out,
        standardize=settings.standardize,
        settings=rf.to_config(),
        device="CPU",
        device_name=None,
        **provenance(job.inputs.summary, settings.settings_digest, job.outputs.model),
    )
    write_json(job.outputs.info, info)
    return info


def _forest_validation(job: TrainModel, features, labels) -> dict:
    """A forest's accuracy on the held-out part of the training set, fitted on the rest."""
    from ascflow.evaluation import classification_metrics

    settings, validation = job.settings, job.settings.validation
    groups = split_groups(np.load(job.inputs.groups), validation)
    train_index, validation_index = holdout_split(labels, validation["fraction"], settings.seed, groups)
    forest, _ = fit_forest(
        features[train_index], labels[train_index], settings.settings, settings.seed, job.runtime.threads
    )
    n_classes = int(labels.max()) + 1
    scores = classification_metrics(
        labels[validation_index], class_probabilities(forest, features[validation_index], n_classes)
    )
    log.info("held-out accuracy %.4f on %d clips", scores["accuracy"], validation_index.size)
    return {
        "validation": "holdout",
        "validation_fraction": validation["fraction"],
        "split": split_kind(groups),
        "validation_accuracy": scores["accuracy"],
    }


def fit_network(
    model_name: str,
    network: NetworkSettings,
    n_classes: int,
    train,
    held_out,
    work_dir,
    tensorboard_dir=None,
    teachers=None,
):
    """Build, check and fit one network on (features, labels) pairs;
    ``held_out`` None: no validation (a refit). ``teachers``: the teachers'
    probabilities of the training and held-out clips, for a distilled network."""
    from ascflow.models.keras_build import build_model
    from ascflow.models.keras_check import compare_with_keras
    from ascflow.models.network import train_network

    spec = network.spec(train[0].shape[1:], n_classes)
    log.info(
        "%s: %s, %d training and %d validation clips",
        model_name,
        spec.description,
        train[1].size,
        0 if held_out is None else held_out[1].size,
    )
    model = build_model(spec)
    # The trained model itself must match its closed form; its per-layer
    # counts are the report's Keras column.
    layer_params = {row["layer"]: row["params_keras"] for row in compare_with_keras(spec, model)}
    progress = progress_log(model_name)  # epochs, resumption and early stopping on the terminal
    student = _student(network, teachers)
    model, rows, info = train_network(
        model, train, held_out, network.fitting, work_dir, progress, tensorboard_dir, student
    )
    info["layer_params"] = layer_params
    return model, rows, info


def _student(network: NetworkSettings, teachers) -> Student | None:
    """What a distilled network learns from; None for a plain network."""
    from ascflow.models.network import Student

    if network.distill is None and teachers is None:
        return None
    if network.distill is None or teachers is None:
        raise AscflowError(
            "distill: a distilled network needs both its settings and its teachers' probabilities; "
            "run the workflow again."
        )
    return Student(teachers, network.distill)


def _teachers_of(path: str | None, n_clips: int, parts=None):
    """The teachers' probabilities of the training clips (rows of every
    training clip) split as the clips are: ``parts`` the training and
    held-out indices, or None for the whole training set (a refit)."""
    if path is None:
        return None
    probabilities = np.load(path)
    if probabilities.shape[0] != n_clips:
        raise AscflowError(
            f"{path}: holds {probabilities.shape[0]} clips' probabilities but the training set "
            f"has {n_clips}; delete it and run the workflow again."
        )
    if parts is None:
        return probabilities, None
    return tuple(probabilities[index] for index in parts)


def _training_and_held_out(job: TrainModel, groups: np.ndarray | None):
    """The clips a network trains on and those it validates on: a held-out
    part of the training set, or the reference's test set (mode "test")."""
    inputs, validation = job.inputs, job.settings.validation
    features, labels = load_features(inputs.features), np.load(inputs.labels)
    if validation["mode"] == "holdout":
        train_index, validation_index = holdout_split(
            labels, validation["fraction"], job.settings.seed, groups
        )
        return (features[train_index], labels[train_index]), (
            features[validation_index],
            labels[validation_index],
        )
    if validation["mode"] == "test":
        if not (inputs.test_features and inputs.test_labels):
            raise AscflowError("validation.mode: 'test' needs the test features, which were not given.")
        return (np.asarray(features), labels), (
            load_features(inputs.test_features),
            np.load(inputs.test_labels),
        )
    raise AscflowError(f"validation.mode: unknown mode {validation['mode']!r}; expected holdout or test.")


def fit_network_job(job: TrainModel) -> dict:
    """Train a CNN or LSTM. ``settings.gpu`` is the config's choice of device
    (auto, true, false). The held-out part keeps each group (recording) on
    one side where the data has groups."""
    from ascflow.models.network import configure_tensorflow

    settings, outputs = job.settings, job.outputs
    device, device_name = configure_tensorflow(job.runtime.threads, settings.seed, settings.gpu)
    log.info("on %s", device_name or device)
    n_classes = read_json(job.inputs.summary)["n_classes"]
    groups = split_groups(np.load(job.inputs.groups), settings.validation)
    # The feature file is unmapped once the split is copied out: its pages
    # (the whole file, 361 MB at the reference size) would otherwise count in
    # this job's memory for the whole fit.
    train, held_out = _training_and_held_out(job, groups)
    teachers = None
    if job.inputs.teachers:  # a distilled network: validation.mode is holdout (the plan says so)
        labels = np.load(job.inputs.labels)
        parts = holdout_split(labels, settings.validation["fraction"], settings.seed, groups)
        teachers = _teachers_of(job.inputs.teachers, labels.size, parts)
    model, rows, info = fit_network(
        settings.model,
        settings.settings,
        n_classes,
        train,
        held_out,
        settings.work_dir,
        settings.tensorboard_dir or None,
        teachers,
    )
    with atomic_path(outputs.model) as partial:
        model.save(partial)
    history = {row["epoch"]: row for row in rows}
    write_history(outputs.history, history)
    holdout = settings.validation["mode"] == "holdout"
    info.update(
        seed=settings.seed,
        validation=settings.validation["mode"],
        validation_fraction=settings.validation["fraction"] if holdout else None,
        split=split_kind(groups) if holdout else None,
        # The weights kept are those of best_epoch (with early stopping) or
        # of the last epoch: their accuracy on the validation part.
        validation_accuracy=history[info["best_epoch"]]["val_accuracy"],
        standardize=settings.standardize,
        settings=settings.settings.to_config(),
        device=device,
        device_name=device_name,
        **provenance(job.inputs.summary, settings.settings_digest, outputs.model),
    )
    write_json(outputs.info, info)
    return info


def chosen_run(chosen: dict, model_name: str) -> tuple[str, dict]:
    """What validation chose for a model: the run and its training facts,
    from select_variant's choice (a sweep) or from the model's one run."""
    if "selected" in chosen:
        return chosen["selected"], chosen["selected_info"]
    return model_name, chosen


def refit_epochs(info: dict) -> int:
    """The epochs a refit trains: those early stopping chose on the held-out
    part (the epoch whose weights were kept), or every epoch run without it."""
    return int(info["best_epoch"] or info["epochs_run"])


@dataclass(frozen=True)
class RefitInputs:
    chosen: str  # select_variant's choice, or the model's one training run's facts
    features: str
    labels: str
    summary: str
    #: The distilled CNN's teachers' probabilities of every training clip.
    teachers: str | None = None


@dataclass(frozen=True)
class RefitSettings:
    """The chosen run's settings come from its facts (``chosen``)."""

    model: str
    seed: int
    standardize: str
    settings_digest: str  # the model's: its runs', how they were ranked, and the refit
    gpu: bool | str = "auto"
    work_dir: str = ""  # per-epoch checkpoints, as a training job's
    #: Every variant's settings, passed only so that a change of any re-runs
    #: the refit: it reads the chosen run's from that run's facts.
    variants: dict[str, dict] = field(default_factory=dict)


@dataclass(frozen=True)
class RefitNetwork:
    inputs: RefitInputs
    outputs: TrainedModel
    settings: RefitSettings
    runtime: Runtime = field(default_factory=Runtime)


def refit_network_job(job: RefitNetwork) -> dict:
    """Train the network validation chose once more, on the whole training
    set, for the epochs it chose (no validation part, no early stopping), as
    scikit-learn's GridSearchCV(refit=True) does; the test set is not read."""
    from ascflow.models.network import configure_tensorflow

    model_name, outputs = job.settings.model, job.outputs
    run, chosen = chosen_run(read_json(job.inputs.chosen), model_name)
    device, device_name = configure_tensorflow(job.runtime.threads, job.settings.seed, job.settings.gpu)
    epochs = refit_epochs(chosen)
    network = network_settings(parse_model_name(model_name).family, chosen["settings"])
    network = replace(network, fitting=replace(network.fitting, epochs=epochs, early_stopping_patience=0))
    log.info(
        "refitting %s as %s: %d epochs on the whole training set, on %s", run, model_name, epochs, device
    )
    n_classes = read_json(job.inputs.summary)["n_classes"]
    train = (np.asarray(load_features(job.inputs.features)), np.load(job.inputs.labels))
    teachers = _teachers_of(job.inputs.teachers, train[1].size)
    model, rows, info = fit_network(
        model_name, network, n_classes, train, None, job.settings.work_dir, teachers=teachers
    )
    with atomic_path(outputs.model) as partial:
        model.save(partial)
    write_history(outputs.history, {row["epoch"]: row for row in rows})
    info.update(
        seed=job.settings.seed,
        # The validation run's facts: what chose this model, and how it did.
        best_epoch=chosen["best_epoch"],
        **{key: chosen[key] for key in ("validation", "validation_fraction", "split", "validation_accuracy")},
        standardize=job.settings.standardize,
        settings=chosen["settings"],
        device=device,
        device_name=device_name,
        refit=True,
        trained_as=run,
        validation_run={
            "model": run,
            **{
                key: chosen[key]
                for key in ("epochs_run", "best_epoch", "validation_accuracy", "train_seconds")
            },
        },
        n_train=int(train[1].size),
        **provenance(job.inputs.summary, job.settings.settings_digest, outputs.model),
    )
    write_json(outputs.info, info)
    return info
