"""Stage distill: the teachers' class probabilities of every training clip,
averaged, for the distilled CNN (config ``distill``).

An artifact of its own (``results/distill/teachers.npy``), so that a change
of the student (its architecture, its temperature or alpha) re-trains the
student alone, never its teachers. The test set plays no part: each teacher
is the model its evaluation scores (the refit one where networks are
refitted), and it predicts the training clips it was fitted on. Those
in-sample probabilities are surer than a teacher is on clips it has not
seen (a forest's most of all); the temperature softens them, and
``teachers.json`` records how sure each teacher was and how often it was
right, so that the report can say so.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np

from ascflow.errors import AscflowError
from ascflow.files import read_json, save_array, write_json
from ascflow.models.distill import average_probabilities
from ascflow.models.naming import parse_model_name
from ascflow.models.stored import check_model, load_model, model_to_score, predict_probabilities
from ascflow.stages.runtime import Runtime
from ascflow.stages.train import class_probabilities, load_features

log = logging.getLogger("ascflow")


@dataclass(frozen=True)
class TeacherInputs:
    labels: str  # the training labels
    summary: str
    #: Per teacher ``<key>_<teacher>``: ``model`` and ``info`` (its runs'),
    #: ``selection`` (a sweep's choice) and ``features`` (its training layout).
    teachers: dict = field(default_factory=dict, metadata={"rest": True})


@dataclass(frozen=True)
class TeacherOutputs:
    probabilities: str  # (training clips, classes), float32, rows summing to 1
    facts: str  # teachers.json


@dataclass(frozen=True)
class TeacherSettings:
    teachers: list[str]
    #: What each teacher was made with, passed so that a change of one re-runs this job.
    teacher_digests: dict = field(default_factory=dict)
    gpu: bool | str = "auto"


@dataclass(frozen=True)
class TeacherProbabilities:
    inputs: TeacherInputs
    outputs: TeacherOutputs
    settings: TeacherSettings
    runtime: Runtime = field(default_factory=Runtime)


def _as_list(value) -> list[str]:
    return list(value) if isinstance(value, list | tuple) else [value]


def teacher_probabilities(teacher: str, files: dict, summary: dict, n_classes: int) -> tuple[np.ndarray, str]:
    """One teacher's probabilities of the training clips, and its model file."""
    model_path, info_path, info, _ = model_to_score(
        _as_list(files[f"model_{teacher}"]),
        _as_list(files[f"info_{teacher}"]),
        files.get(f"selection_{teacher}"),
    )
    check_model(model_path, info, info_path, summary)
    family = parse_model_name(teacher).family
    model = load_model(model_path, family)
    features = load_features(files[f"features_{teacher}"])
    if family == "rf":
        probabilities = class_probabilities(model, features, n_classes)
    else:
        probabilities = predict_probabilities(model, family, features)
    probabilities = np.asarray(probabilities, dtype=np.float32)
    if probabilities.shape != (features.shape[0], n_classes) or not np.all(np.isfinite(probabilities)):
        raise AscflowError(
            f"{model_path}: gives probabilities of shape {probabilities.shape} for "
            f"{features.shape[0]} training clips of {n_classes} classes; retrain it."
        )
    return probabilities, model_path


def teacher_probabilities_job(job: TeacherProbabilities) -> dict:
    """Average the teachers' probabilities of every training clip; write
    them and each teacher's facts on those clips (accuracy, confidence)."""
    summary = read_json(job.inputs.summary)
    n_classes = summary["n_classes"]
    labels = np.load(job.inputs.labels)
    teachers = list(job.settings.teachers)
    if any(parse_model_name(teacher).family != "rf" for teacher in teachers):
        from ascflow.models.network import configure_tensorflow

        configure_tensorflow(job.runtime.threads, seed=0, gpu=job.settings.gpu)
    each, facts = [], {}
    for teacher in teachers:
        probabilities, model_path = teacher_probabilities(teacher, job.inputs.teachers, summary, n_classes)
        if probabilities.shape[0] != labels.size:
            raise AscflowError(
                f"{model_path}: its training features have {probabilities.shape[0]} clips "
                f"but the training labels {labels.size}; run the workflow again."
            )
        each.append(probabilities)
        facts[teacher] = {
            "model": model_path,
            "accuracy_on_training_clips": float(np.mean(probabilities.argmax(axis=1) == labels)),
            "mean_top_probability": float(probabilities.max(axis=1).mean()),
        }
        log.info(
            "%s: right on %.1f%% of the training clips, top probability %.3f on average",
            teacher,
            100 * facts[teacher]["accuracy_on_training_clips"],
            facts[teacher]["mean_top_probability"],
        )
    averaged = average_probabilities(each)
    report = {
        "teachers": teachers,
        "n_clips": int(labels.size),
        "n_classes": int(n_classes),
        "in_sample": True,  # each teacher predicts the clips it was fitted on
        "per_teacher": facts,
        "accuracy_on_training_clips": float(np.mean(averaged.argmax(axis=1) == labels)),
        "mean_top_probability": float(averaged.max(axis=1).mean()),
    }
    save_array(job.outputs.probabilities, averaged)
    write_json(job.outputs.facts, report)
    return report
