"""Training glue for the networks: threads, seeds, the held-out split,
per-epoch records, early stopping and resuming after a kill.

TensorFlow is imported inside the functions that need it, so that importing
this module (for the split, say) stays cheap.
"""

from __future__ import annotations

import logging
import math
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ascflow.files import atomic_path
from ascflow.models.history import HISTORY_COLUMNS, MONITOR, best_epoch, read_history, write_history
from ascflow.models.settings import Fitting

#: Where training writes its lines: a job's progress log (stages.runtime.progress_log).
Log = logging.Logger | logging.LoggerAdapter


def configure_tensorflow(threads: int, seed: int, gpu="auto") -> tuple[str, str | None]:
    """Thread pools, seeds and the device (the config's ``gpu``: auto, true
    or false); must run before TensorFlow runs any op. Returns the device,
    ``("CPU", None)`` or ``("GPU", <its name>)``."""
    import keras
    import tensorflow as tf

    from ascflow.models.device import use_gpu

    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
    except RuntimeError:
        # TensorFlow ran an op in this process already (a test, or a caller
        # of ascflow.predict that set its own pools): its pools stay.
        pass
    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()
    gpus = tf.config.list_physical_devices("GPU")
    if not use_gpu(gpu, [device.name for device in gpus]):
        tf.config.set_visible_devices([], "GPU")
        return "CPU", None
    for device in gpus:
        # Take GPU memory as needed, not all of it at once: two jobs on one
        # GPU (or a job beside a notebook) would otherwise fail to start.
        tf.config.experimental.set_memory_growth(device, True)
    return "GPU", tf.config.experimental.get_device_details(gpus[0]).get("device_name", gpus[0].name)


#: Clips per prediction batch. A batch's activations are the job's peak
#: memory: the CNN's first layer alone holds 36 x 497 x 32 floats per clip
#: (2.3 MB), so 256 clips took the evaluation to 2.0 GB at the reference size
#: and 64 take it to 1.3 GB, at the same speed (CHANGELOG.md, round three).
PREDICT_BATCH_SIZE = 64


def predict(model, features: np.ndarray) -> np.ndarray:
    """Class probabilities of ``features``, in batches that bound memory."""
    return model.predict(features, batch_size=PREDICT_BATCH_SIZE, verbose=0)


def _save_weights_atomically(model, path: Path) -> None:
    """Keras writes weights in place; a kill mid-write leaves a file that
    cannot be loaded. Writing beside it and renaming keeps the old one whole."""
    with atomic_path(path) as partial:
        model.save_weights(partial)


def _checkpoints(work_dir: Path) -> dict[int, Path]:
    return {int(path.name.split("-")[1].split(".")[0]): path for path in work_dir.glob("epoch-*.weights.h5")}


def resume_point(model, work_dir: Path, logger: Log) -> tuple[int, dict[int, dict]]:
    """Load the last whole checkpoint in ``work_dir`` (weights and optimizer
    state); return the epoch to continue after and the history up to it."""
    checkpoints = _checkpoints(work_dir)
    if not checkpoints:
        return 0, {}
    epoch = max(checkpoints)
    model.optimizer.build(model.trainable_variables)  # its variables must exist to be loaded
    model.load_weights(checkpoints[epoch])
    rows = {e: row for e, row in read_history(work_dir / "history.csv").items() if e <= epoch}
    logger.info("resuming after epoch %d", epoch)
    return epoch, rows


def tensorboard_callback(log_dir: str | Path):
    """Keras's TensorBoard callback, logging per epoch under ``log_dir``."""
    import keras

    return keras.callbacks.TensorBoard(log_dir=str(log_dir), histogram_freq=0, write_graph=False)


def _training_record_callback(work_dir: Path, rows: dict[int, dict], patience: int, logger: Log):
    """A Keras callback that checkpoints every epoch into ``work_dir`` (weights,
    optimizer state, history) and does early stopping from the history, so
    that all of it survives a kill."""
    import keras

    class TrainingRecord(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.rows = rows
            self.best_weights_path = work_dir / "best.weights.h5"

        def on_epoch_begin(self, epoch, logs=None):
            self.started = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            number = epoch + 1
            # A refit has no validation part: its val_ columns are NaN.
            row = {key: float(logs.get(key, math.nan)) for key in HISTORY_COLUMNS[1:-1]}
            self.rows[number] = {"epoch": number, **row, "seconds": time.perf_counter() - self.started}
            logger.info(
                "epoch %d/%d: loss %.4f accuracy %.4f val_loss %.4f val_accuracy %.4f (%.1f s)",
                number,
                self.params["epochs"],
                *(self.rows[number][key] for key in HISTORY_COLUMNS[1:]),
            )
            best = best_epoch(self.rows)
            if patience and best == number:
                _save_weights_atomically(self.model, self.best_weights_path)
            # History first, then the checkpoint that makes the epoch count
            # as done: a kill in between only repeats this epoch.
            write_history(work_dir / "history.csv", self.rows)
            _save_weights_atomically(self.model, work_dir / f"epoch-{number:04d}.weights.h5")
            for old_epoch, old in _checkpoints(work_dir).items():
                if old_epoch < number:
                    old.unlink()
            if patience and number - best >= patience:
                logger.info(
                    "early stopping after epoch %d: no better %s since epoch %d", number, MONITOR, best
                )
                self.model.stop_training = True

        def on_train_end(self, logs=None):
            if patience and self.best_weights_path.is_file():
                logger.info("restoring the weights of epoch %d", best_epoch(self.rows))
                self.model.load_weights(self.best_weights_path)

    return TrainingRecord()


def batches(features: np.ndarray, targets: np.ndarray, batch_size: int, shuffled: bool = False, augment=None):
    """The (features, one-hot targets) pairs as a tf.data pipeline of
    batches, shuffled anew each epoch (by TensorFlow's global seed, which
    configure_tensorflow sets) where ``shuffled``. Built here rather than by
    Keras from the arrays, so that tf.data's autotuning is off: with it, a
    network trained on one thread waited for its input up to half of each
    epoch (CHANGELOG.md, round three); one batch prefetched is enough.

    The pipeline shuffles clip indices and gathers each batch from the
    arrays in place: a pipeline of the arrays themselves copies them into
    TensorFlow and again into a shuffle buffer as large as the training set
    (700 MB more at the reference size). The order of clips is the same.

    ``augment`` (training batches only: a
    :class:`ascflow.models.augment.BatchAugmenter`) turns each gathered batch
    into its augmented one, in the order the batches are drawn."""
    import tensorflow as tf

    def gather(indices):
        if augment is not None:
            return augment(features[indices], targets[indices])
        return features[indices], targets[indices]

    def typed(indices):
        batch_features, batch_targets = tf.numpy_function(
            gather,
            [indices],
            (tf.as_dtype(features.dtype), tf.as_dtype(targets.dtype)),
            stateful=augment is not None,
        )
        batch_features.set_shape((None, *features.shape[1:]))
        batch_targets.set_shape((None, *targets.shape[1:]))
        return batch_features, batch_targets

    indices = tf.data.Dataset.range(len(targets))
    if shuffled:
        indices = indices.shuffle(len(targets), reshuffle_each_iteration=True)
    options = tf.data.Options()
    options.autotune.enabled = False
    options.deterministic = True
    return indices.batch(batch_size).map(typed).prefetch(1).with_options(options)


def training_augmenter(fitting: Fitting, n_train: int, initial_epoch: int, logger: Log):
    """The training batches' augmenter where ``fitting.augment`` is on, else
    None. Its seed is drawn from NumPy's global generator, which
    configure_tensorflow seeded with the run's seed (and nothing draws from
    it when augmentation is off); a resumed run starts at the batch it stopped at."""
    if fitting.augment is None or not fitting.augment.on:
        return None
    from ascflow.models.augment import BatchAugmenter

    logger.info("training batches augmented: %s", fitting.augment.description())
    seed = int(np.random.randint(0, 2**31 - 1))
    return BatchAugmenter(fitting.augment, seed, initial_epoch * math.ceil(n_train / fitting.batch_size))


def compile_network(model, fitting: Fitting, distill=None, n_classes: int = 0) -> None:
    """The reference's training objective: one-hot labels, categorical
    cross-entropy, Adam at the configured learning rate, accuracy reported.
    With ``distill`` (:class:`ascflow.models.distill.DistillSettings`) the
    targets are the labels and the teachers' probabilities side by side and
    the loss is the distillation loss (:mod:`ascflow.models.distill`)."""
    import keras

    loss, metrics = "categorical_crossentropy", ["accuracy"]
    if distill is not None:
        from ascflow.models.distill import distillation_loss, hard_label_accuracy

        loss = distillation_loss(n_classes, distill.temperature, distill.alpha)
        metrics = [hard_label_accuracy(n_classes)]
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=fitting.learning_rate),
        loss=loss,
        metrics=metrics,
    )


@dataclass(frozen=True)
class Student:
    """A network that learns from its teachers: their probabilities of the
    training clips and of the validation clips (None in a refit), and how
    it distils them (:class:`ascflow.models.distill.DistillSettings`)."""

    teachers: tuple[np.ndarray, np.ndarray | None]
    distill: object


def train_network(
    model,
    train: tuple[np.ndarray, np.ndarray],
    validation: tuple[np.ndarray, np.ndarray] | None,
    fitting: Fitting,
    work_dir: str | Path,
    logger: Log,
    tensorboard_dir: str | Path | None = None,
    student: Student | None = None,
) -> tuple[object, list[dict], dict]:
    """Compile and fit ``model`` (one-hot labels, categorical cross-entropy,
    Adam), resuming from ``work_dir`` if an earlier attempt was killed.

    ``fitting.early_stopping_patience`` > 0 turns on early stopping on validation accuracy with the
    best weights restored; 0 trains all epochs. ``validation`` None fits
    without a validation part (a refit). Returns the model, the
    history rows and the training facts for the metrics. ``work_dir`` holds
    the per-epoch checkpoints and is removed after a successful fit. With
    ``tensorboard_dir``, Keras's TensorBoard callback logs there too.

    Keras's own BackupAndRestore writes its checkpoint in place, and a
    ``kill -9`` during that write left a file the next attempt could not load
    (seen in tests/workflow/test_workflow.py); hence checkpoints written by rename.

    A ``student``'s targets are the one-hot labels and its teachers'
    probabilities side by side. The classes are the model's outputs.
    """
    import keras

    n_classes = int(model.output_shape[-1])
    distill = None if student is None else student.distill
    patience = fitting.early_stopping_patience
    work_dir = Path(work_dir)
    work_dir.mkdir(parents=True, exist_ok=True)
    compile_network(model, fitting, distill, n_classes)
    initial_epoch, rows = resume_point(model, work_dir, logger)
    record = _training_record_callback(work_dir, rows, patience, logger)

    def targets(labels, part: int):
        """One-hot labels; a student's beside its teachers' probabilities of
        the same clips (``part`` 0: the training clips, 1: the validation ones)."""
        one_hot = keras.utils.to_categorical(labels, n_classes)
        if distill is None:
            return one_hot
        from ascflow.models.distill import student_targets

        return student_targets(one_hot, student.teachers[part])

    augmenter = training_augmenter(fitting, len(train[1]), initial_epoch, logger)
    model.fit(
        batches(train[0], targets(train[1], 0), fitting.batch_size, shuffled=True, augment=augmenter),
        validation_data=None
        if validation is None
        else batches(validation[0], targets(validation[1], 1), fitting.batch_size),
        epochs=fitting.epochs,
        initial_epoch=initial_epoch,
        shuffle=False,  # batches() shuffles; Keras ignores it for datasets and warns
        verbose=0,
        callbacks=[record] + ([tensorboard_callback(tensorboard_dir)] if tensorboard_dir else []),
    )
    rows = [record.rows[epoch] for epoch in sorted(record.rows)]
    info = {
        # Sum of the epochs' times, so that a resumed run reports its real cost.
        "train_seconds": float(sum(row["seconds"] for row in rows)),
        "epochs_run": len(rows),
        "best_epoch": best_epoch(record.rows) if patience else len(rows),
        "n_params": int(model.count_params()),
        "tree_nodes": None,
    }
    shutil.rmtree(work_dir)
    return model, rows, info
