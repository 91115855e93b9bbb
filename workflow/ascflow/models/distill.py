"""Knowledge distillation: a student network trained on the hard labels and
on its teachers' averaged class probabilities (Hinton et al., 2015).

The loss of one clip, with the student's probabilities ``s``, the teachers'
``t``, the one-hot label ``y``, a temperature ``T`` and a weight ``alpha``::

    alpha * T^2 * KL(t_T || s_T) + (1 - alpha) * CE(y, s)

where ``p_T`` is ``p`` softened at ``T``: ``softmax(log(p) / T)``, which is
the softmax of the logits divided by ``T`` (a softmax's log is its logits
less a constant), so that teachers that give probabilities alone (a forest)
and the student's softmax output are softened alike. ``T^2`` keeps the soft
loss's gradients on the scale of the hard loss's as ``T`` grows.

The targets a distilled network trains on are the one-hot labels and the
teachers' probabilities side by side (``2 x classes`` columns,
:func:`student_targets`); the loss and the accuracy metric split them.

TensorFlow is imported inside the functions that need it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: Probabilities are clipped to this before their log is taken.
EPSILON = 1e-7


@dataclass(frozen=True)
class DistillSettings:
    """The config's ``distill`` section: whose probabilities the student
    learns from, how soft, and how much."""

    teachers: tuple[str, ...]
    temperature: float
    alpha: float  # the soft loss's weight; 1 - alpha the hard labels'
    #: What each teacher was made with (its model digest), as the plan gives it.
    digests: tuple[tuple[str, str], ...] = ()

    def to_config(self) -> dict:
        return {"teachers": list(self.teachers), "temperature": self.temperature, "alpha": self.alpha}


def distill_settings(section: dict) -> DistillSettings:
    """The plan's distill settings of the student (config distill, and the
    teachers' digests)."""
    return DistillSettings(
        teachers=tuple(str(teacher) for teacher in section["teachers"]),
        temperature=float(section["temperature"]),
        alpha=float(section["alpha"]),
        digests=tuple(sorted(section.get("teacher_digests", {}).items())),
    )


def average_probabilities(probabilities: Sequence[np.ndarray]) -> np.ndarray:
    """The teachers' class probabilities of each clip, averaged (rows sum to 1)."""
    stacked = np.stack([np.asarray(p, dtype=np.float64) for p in probabilities])
    if stacked.ndim != 3:
        raise ValueError(f"teachers' probabilities must be (clips, classes) each, got {stacked.shape[1:]}")
    mean = stacked.mean(axis=0)
    return (mean / mean.sum(axis=1, keepdims=True)).astype(np.float32)


def soften(probabilities: np.ndarray, temperature: float) -> np.ndarray:
    """``softmax(log(p) / T)`` in NumPy: the reference the Keras loss is tested against."""
    logits = np.log(np.clip(probabilities, EPSILON, 1.0)) / temperature
    logits -= logits.max(axis=-1, keepdims=True)
    exp = np.exp(logits)
    return exp / exp.sum(axis=-1, keepdims=True)


def distillation_loss_numpy(
    labels: np.ndarray, teachers: np.ndarray, student: np.ndarray, temperature: float, alpha: float
) -> np.ndarray:
    """The loss of each clip in NumPy (``labels`` one-hot)."""
    teacher_soft = soften(teachers, temperature)
    student_soft = soften(student, temperature)
    log_ratio = np.log(np.clip(teacher_soft, EPSILON, 1)) - np.log(np.clip(student_soft, EPSILON, 1))
    kl = np.sum(teacher_soft * log_ratio, axis=-1)
    cross_entropy = -np.sum(labels * np.log(np.clip(student, EPSILON, 1.0)), axis=-1)
    return alpha * temperature**2 * kl + (1 - alpha) * cross_entropy


def student_targets(one_hot: np.ndarray, teachers: np.ndarray) -> np.ndarray:
    """The targets a student trains on: one-hot labels, then the teachers' probabilities."""
    if one_hot.shape != teachers.shape:
        raise ValueError(f"labels {one_hot.shape} and teachers' probabilities {teachers.shape} differ")
    return np.concatenate([one_hot, teachers], axis=1).astype(np.float32)


def distillation_loss(n_classes: int, temperature: float, alpha: float):
    """The Keras loss of targets made by :func:`student_targets`."""
    import keras
    from keras import ops

    def _soft_log(probabilities):
        return ops.log_softmax(ops.log(ops.clip(probabilities, EPSILON, 1.0)) / temperature, axis=-1)

    def distillation(y_true, y_pred):
        labels, teachers = y_true[:, :n_classes], y_true[:, n_classes:]
        teacher_log = _soft_log(teachers)
        kl = ops.sum(ops.exp(teacher_log) * (teacher_log - _soft_log(y_pred)), axis=-1)
        hard = keras.losses.categorical_crossentropy(labels, y_pred)
        return alpha * temperature**2 * kl + (1 - alpha) * hard

    return distillation


def hard_label_accuracy(n_classes: int):
    """Keras's accuracy on the one-hot half of a student's targets, logged
    as ``accuracy`` (and ``val_accuracy``) as a plain network's is."""
    import keras

    def accuracy(y_true, y_pred):
        return keras.metrics.categorical_accuracy(y_true[:, :n_classes], y_pred)

    return accuracy
