"""How many threads each job asks for: never more running threads than CPUs.

Snakemake starts jobs until their threads add up to ``--cores``. The README's
``snakemake --cores 8`` on a two-CPU laptop would run four two-thread jobs at
once, and the CNN would get half of the two CPUs it was measured to use
(CHANGELOG.md). So a local run schedules at most as many threads as
the CPUs it may run on (:func:`local_cores`), and on such a small budget the
training jobs share it by a plan (:func:`thread_plan`) rather than each
asking for all of it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

#: What a training or evaluation job asks for where cores are plenty: the
#: CNN's and the forests' speed-up flattens beyond it at the default size.
TRAIN_THREADS = 4


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity: a container's or a
    Slurm allocation's share, not the machine's count)."""
    return len(os.sched_getaffinity(0))


def local_cores(cores: int | None, cpus: int) -> int | None:
    """The cores a local run schedules: ``--cores``, but never more than the
    ``cpus`` it may use. ``None`` (a dry run without --cores) stays ``None``."""
    if cores is None:
        return None
    return max(1, min(cores, cpus))


@dataclass(frozen=True)
class ThreadPlan:
    """The threads each training and evaluation job asks for."""

    cnn: int
    lstm: int
    forest: int
    evaluation: int

    #: Whether the CNN asks for every core of the run (a small machine).
    cnn_alone: bool = False
    #: The CNN's refit's threads where they differ from its training's: the
    #: cores the LSTM leaves, so that it refits beside the LSTM's jobs
    #: (:func:`ascflow.plan.costs.refit_beside`); 0: as its training.
    cnn_refit: int = 0

    def training(self, family: str, refit: bool = False) -> int:
        """A training job's threads; ``family`` is ``cnn``, ``lstm`` or ``rf``;
        ``refit``: the network's training once more on the whole training set."""
        if refit and family == "cnn" and self.cnn_refit:
            return self.cnn_refit
        return {"cnn": self.cnn, "lstm": self.lstm, "rf": self.forest}[family]

    def features(self, family: str, split: str) -> int:
        """A feature job's threads. Snakemake starts any ready job that fits
        the free cores and keeps none free for a job that waits, so a CNN
        that needs every core would only start once nothing else is left
        to run, and the LSTM would then train alone on one of two cores.
        When the CNN needs every core, its training features ask for every
        core too: they run alone, right after validation, and when they
        finish every core is free for the CNN, the job that starts first
        (:func:`start_priority`)."""
        return self.cnn if self.cnn_alone and family == "cnn" and split == "train" else 1


#: The priority of what follows a network's training (its test features,
#: evaluation, export and the measurement of its exports): below every
#: training's, above the forests'.
TAIL_PRIORITY = 1
#: Snakemake's ``priority`` of each network's training jobs: the CNN first
#: (the longest job, and the one that needs every core on a small machine),
#: then the LSTM (the longest of the rest, so that it does not end the run
#: alone), then everything else. Snakemake picks the set of ready jobs with
#: the largest sum of priorities that fits the free cores, so each level
#: outweighs every job of the levels below it that could run at once on
#: a machine where the CNN needs every core (fewer than 8): the CNN's
#: training (and the features it waits for) is never put off for a pair of
#: one-thread jobs, and the LSTM's never for a few evaluations.
START_PRIORITY = {"cnn": 100, "lstm": 10}


def start_priority(family: str | None) -> int:
    """Snakemake's ``priority`` of the training jobs of a model family
    (higher starts first); ``None`` or another family: 0."""
    return START_PRIORITY.get(family, 0)


def thread_plan(cores: int | None, refit_beside=None) -> ThreadPlan:
    """The plan for a run that keeps at most ``cores`` threads busy (``None``:
    unbounded, as on a cluster, where each job gets CPUs of its own).

    With room for two training jobs of :data:`TRAIN_THREADS` each, every job
    asks for that many, so the networks and the forests train side by side.
    With less, the CNN, whose convolutions use every thread they get, asks
    for all of them and so trains alone; the LSTM (its recurrence keeps
    under two threads busy), the forests and the evaluations ask for half,
    so that two of them run side by side. ``refit_beside(cores,
    lstm_threads)``, where given, says whether the CNN's refit then takes
    the cores the LSTM leaves instead of every core (the run's cost model,
    :func:`ascflow.plan.costs.refit_beside`).
    """
    if cores is None or cores >= 2 * TRAIN_THREADS:
        return ThreadPlan(TRAIN_THREADS, TRAIN_THREADS, TRAIN_THREADS, TRAIN_THREADS)
    half = max(1, cores // 2)
    cnn = min(TRAIN_THREADS, cores)
    alone = cnn == cores
    beside = alone and cores > half and refit_beside is not None and refit_beside(cores, half)
    return ThreadPlan(
        cnn=cnn,
        lstm=half,
        forest=half,
        evaluation=half,
        cnn_alone=alone,
        cnn_refit=cores - half if beside else 0,
    )
