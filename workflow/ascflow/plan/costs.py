"""What the training jobs cost, relative to each other, so that a small
machine's thread plan can pick the shorter of two schedules.

On a machine with too few cores for two training jobs of
:data:`ascflow.threads.TRAIN_THREADS` threads each, the CNN asks for every
core and trains first (:func:`ascflow.threads.thread_plan`). Its refit can
then take every core again, or the cores the LSTM leaves, beside the LSTM's
jobs: the CNN uses a second thread at well under twice the speed, so when
there is enough other work to fill the lanes, the run ends sooner with the
refit beside it. Which is shorter depends on the epochs, the networks and
the models in the run: :func:`refit_beside` estimates both schedules from
:class:`Work` (one-thread seconds per training clip, a network's epochs x
its FLOPs per clip over a measured rate, a forest's trees x its measured
cost per tree), and the larger the data the more every chain grows alike,
so the choice needs no clip count.

The estimate takes every network to its full epochs: early stopping's end
is not known when the jobs start (see docs/performance.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ascflow.models.counting import forward_flops
from ascflow.models.settings import network_settings

#: One-thread training rates on the benchmark's machine (two-CPU VM,
#: 2026-12-07; docs/performance.md, round four): FLOPs per second of a
#: network's training (3 forward passes a training clip, 1 a validation
#: clip), and a forest's seconds per tree and training clip. Only their
#: ratios matter: a faster machine speeds every chain alike.
CNN_ONE_THREAD_GFLOPS = 90.0
LSTM_ONE_THREAD_GFLOPS = 11.0
FOREST_SECONDS_PER_TREE_CLIP = 9.0e-5
#: The share of the CNN's training that more threads speed up (Amdahl's
#: law), from its epoch time on one thread and on two (5.5 s and 3.0 s).
CNN_PARALLEL_SHARE = 0.9
#: Passes of a training clip (forward and backward) and of a validation clip.
TRAINING_PASSES, VALIDATION_PASSES = 3, 1


def speedup(threads: int, parallel_share: float = CNN_PARALLEL_SHARE) -> float:
    """How much faster the CNN trains on ``threads`` threads than on one."""
    return 1 / ((1 - parallel_share) + parallel_share / max(1, threads))


@dataclass(frozen=True)
class Work:
    """One-thread seconds per training clip of a run's chains."""

    cnn_train: float = 0.0
    cnn_refit: float = 0.0
    #: The LSTM's training and refit: one after the other, on one thread
    #: (its recurrence keeps under two threads busy).
    lstm: float = 0.0
    #: Everything else that runs after the CNN's training: the forests.
    other: float = 0.0


def run_work(config: Mapping, networks: list[str], forests: list[int], refit: bool) -> Work:
    """:class:`Work` of a run from its config: ``networks`` the families it
    trains (``cnn``, ``lstm``), ``forests`` their tree counts, ``refit``
    whether the networks train again on the whole training set."""
    shape = config["default_data"]
    n_features, n_frames, n_classes = shape["n_features"], shape["n_frames"], shape["n_classes"]
    holdout = config["validation"]["fraction"] if config["validation"]["mode"] == "holdout" else 0.0
    epoch_passes = (1 - holdout) * TRAINING_PASSES + holdout * VALIDATION_PASSES
    seconds = {}
    for family, rate, input_shape in (
        ("cnn", CNN_ONE_THREAD_GFLOPS, (n_features, n_frames, 1)),
        ("lstm", LSTM_ONE_THREAD_GFLOPS, (n_frames, n_features)),
    ):
        if family in networks:
            settings = network_settings(family, config[family])
            per_pass = forward_flops(settings.spec(input_shape, n_classes)) / (rate * 1e9)
            epochs = settings.fitting.epochs
            seconds[family] = (epochs * epoch_passes * per_pass, epochs * TRAINING_PASSES * per_pass * refit)
    cnn_train, cnn_refit = seconds.get("cnn", (0.0, 0.0))
    return Work(
        cnn_train=cnn_train,
        cnn_refit=cnn_refit,
        lstm=sum(seconds.get("lstm", (0.0, 0.0))),
        other=sum(forests) * FOREST_SECONDS_PER_TREE_CLIP,
    )


def makespans(work: Work, cores: int, lstm_threads: int) -> tuple[float, float]:
    """Estimated seconds per training clip of the two schedules on
    ``cores``: the CNN's refit on every core after its training, then the
    LSTM on ``lstm_threads`` beside the rest; or the refit on the cores
    the LSTM leaves, beside the LSTM and then the rest. Two lanes: the
    LSTM's and the other jobs', each on half the cores."""
    lanes_of_rest = max(1, cores // max(1, lstm_threads))
    rest = work.other / lstm_threads
    train = work.cnn_train / speedup(cores)
    alone = train + work.cnn_refit / speedup(cores) + max(work.lstm, rest / max(1, lanes_of_rest - 1))
    refit_beside = work.cnn_refit / speedup(cores - lstm_threads)
    beside = train + max(refit_beside, work.lstm, (refit_beside + work.lstm + rest) / lanes_of_rest)
    return alone, beside


def refit_beside(work: Work, cores: int, lstm_threads: int) -> bool:
    """Whether the CNN's refit should take the cores the LSTM leaves rather
    than every core: where there is a refit, cores to share, and the
    estimate says the run ends sooner so."""
    if work.cnn_refit == 0 or cores - lstm_threads < 1:
        return False
    alone, beside = makespans(work, cores, lstm_threads)
    return beside < alone
