"""The distillation loss and a student's training, through real Keras."""

from __future__ import annotations

import logging

import keras
import numpy as np
import pytest
from ascflow.models.distill import (
    DistillSettings,
    average_probabilities,
    distillation_loss,
    distillation_loss_numpy,
    hard_label_accuracy,
    soften,
    student_targets,
)
from ascflow.models.network import Student, configure_tensorflow, train_network
from ascflow.models.settings import Fitting


def _probabilities(rng, n, classes, sharpness=2.0):
    logits = rng.normal(scale=sharpness, size=(n, classes))
    exp = np.exp(logits - logits.max(axis=1, keepdims=True))
    return (exp / exp.sum(axis=1, keepdims=True)).astype(np.float32)


def _keras_loss(labels, teachers, student, temperature, alpha):
    loss = distillation_loss(labels.shape[1], temperature, alpha)
    return keras.ops.convert_to_numpy(loss(student_targets(labels, teachers), student))


@pytest.mark.parametrize(("temperature", "alpha"), [(1.0, 0.5), (2.0, 0.9), (4.0, 0.3), (3.0, 1.0)])
def test_keras_loss_equals_the_formula(temperature, alpha):
    rng = np.random.default_rng(0)
    labels = np.eye(5, dtype=np.float32)[rng.integers(0, 5, 16)]
    teachers, student = _probabilities(rng, 16, 5), _probabilities(rng, 16, 5)
    expected = distillation_loss_numpy(labels, teachers, student, temperature, alpha)
    np.testing.assert_allclose(
        _keras_loss(labels, teachers, student, temperature, alpha), expected, rtol=1e-4
    )
    # By hand for one clip: alpha T^2 sum t_T log(t_T / s_T) - (1 - alpha) log s[label].
    t, s = soften(teachers[:1], temperature)[0], soften(student[:1], temperature)[0]
    by_hand = alpha * temperature**2 * np.sum(t * np.log(t / s)) - (1 - alpha) * np.log(
        student[0, labels[0].argmax()]
    )
    assert expected[0] == pytest.approx(by_hand, rel=1e-4)


def test_the_two_ends_of_alpha():
    rng = np.random.default_rng(1)
    labels = np.eye(4, dtype=np.float32)[rng.integers(0, 4, 8)]
    teachers, student = _probabilities(rng, 8, 4), _probabilities(rng, 8, 4)
    cross_entropy = keras.ops.convert_to_numpy(keras.losses.categorical_crossentropy(labels, student))
    np.testing.assert_allclose(_keras_loss(labels, teachers, student, 3.0, 0.0), cross_entropy, rtol=1e-5)
    # A student that says what its teachers say has no soft loss left.
    np.testing.assert_allclose(_keras_loss(labels, teachers, teachers, 3.0, 1.0), 0.0, atol=1e-5)
    assert np.all(_keras_loss(labels, teachers, student, 3.0, 1.0) > 0)


def test_softening_flattens_and_keeps_the_order():
    p = np.array([[0.7, 0.2, 0.1]])
    assert np.allclose(soften(p, 1.0), p)
    soft = soften(p, 4.0)
    assert soft.max() < 0.7 and list(np.argsort(soft[0])) == list(np.argsort(p[0]))


def test_average_of_teachers():
    a = np.array([[1.0, 0.0], [0.5, 0.5]])
    b = np.array([[0.0, 1.0], [0.7, 0.3]])
    np.testing.assert_allclose(average_probabilities([a, b]), [[0.5, 0.5], [0.6, 0.4]])
    with pytest.raises(ValueError, match="differ"):
        student_targets(np.eye(2), np.ones((2, 3)))


def test_hard_label_accuracy_reads_the_labels_only():
    labels = np.eye(3, dtype=np.float32)[[0, 1, 2, 0]]
    teachers = np.eye(3, dtype=np.float32)[[1, 1, 1, 1]]  # wrong on 3 of 4: must not count
    student = np.eye(3, dtype=np.float32)[[0, 1, 2, 2]]
    accuracy = hard_label_accuracy(3)(student_targets(labels, teachers), student)
    assert float(np.mean(keras.ops.convert_to_numpy(accuracy))) == pytest.approx(0.75)


def test_a_student_learns_its_teachers_soft_probabilities(tmp_path):
    """Real training of a tiny network: with the soft loss alone (alpha 1)
    the student's probabilities come close to its teachers', softness
    included; trained on the hard labels alone (alpha 0) they do not."""
    configure_tensorflow(1, 0, gpu=False)
    rng = np.random.default_rng(2)
    centres = rng.normal(size=(3, 6)) * 3
    labels = rng.integers(0, 3, 240)
    features = (centres[labels] + rng.normal(size=(240, 6))).astype(np.float32)
    # Teachers that are sure of the right class but give the others a third.
    teachers = np.full((240, 3), 1 / 6, dtype=np.float32)
    teachers[np.arange(240), labels] = 2 / 3
    fitting = Fitting(learning_rate=0.05, batch_size=32, epochs=25)
    logger = logging.getLogger("test")
    gaps = {}
    for alpha in (1.0, 0.0):
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(3, activation="softmax")])
        model, rows, _ = train_network(
            model,
            (features, labels),
            (features[:40], labels[:40]),
            fitting,
            tmp_path / f"work-{alpha}",
            logger,
            student=Student(
                (teachers, teachers[:40]), DistillSettings(("cnn", "rf_100"), temperature=2.0, alpha=alpha)
            ),
        )
        assert {"loss", "accuracy", "val_loss", "val_accuracy"} <= set(rows[-1])
        assert rows[-1]["accuracy"] > 0.9  # the hard labels are learnt either way
        gaps[alpha] = float(np.abs(model.predict(features, verbose=0) - teachers).mean())
    print(gaps)
    assert gaps[1.0] < 0.08 and gaps[0.0] > 2 * gaps[1.0]
