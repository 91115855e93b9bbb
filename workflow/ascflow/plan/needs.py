"""What each rule's jobs ask for, and how much of the machine they get.

:data:`RULES` holds every rule's needs with the reason for each number;
:class:`Scheduling` turns them into one job's threads, start priority,
memory, time, GPUs and share of this machine's CPUs. Profiles override
threads and resources (``set-threads``, ``set-resources``): these are the
workflow's own values.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

from ascflow.cluster import ProfileEntries, Request, job_request
from ascflow.models.device import driver_gpus, gpu_request
from ascflow.models.naming import parse_model_name
from ascflow.plan.costs import Work, refit_beside, run_work
from ascflow.plan.roster import Roster, layout_family
from ascflow.threads import TAIL_PRIORITY, ThreadPlan, local_cores, start_priority, thread_plan, usable_cpus

#: A job's share of this machine's CPUs is counted in ten-thousandths, against
#: the global limit ``cpu_share: 10000`` that profiles/default sets: fine
#: enough that one more one-thread job than CPUs never fits (up to ~140 CPUs).
CPU_SHARE_WHOLE = 10_000
#: The rules that follow a network's training, one model each.
NETWORK_TAIL = ("evaluate_model", "export_model", "measure_deployed")


@dataclass(frozen=True)
class Needs:
    """What one job of a rule asks for, before a profile overrides it.

    ``threads``: a number, or the thread plan's name for the job's kind
    (``training``, ``evaluation``, ``features``), which depends on the model
    family and the CPUs; ``cluster_threads``: what a job asks a cluster node
    for. Memory is ``max(mem_mb, mem_per_input_mb x the job's input size)``,
    and memory and time grow with each retry (``attempt``), so a job killed
    for lack of either asks for more the next time.
    """

    mem_mb: int
    runtime: int  # minutes
    threads: int | str = 1
    cluster_threads: int | None = None
    mem_per_input_mb: float = 0
    #: Whether its jobs declare Snakemake's standard ``gpu`` resource (a
    #: model's job: 1 for a network on a GPU, else 0).
    gpu: bool = False
    #: A cheap job that a cluster run keeps on the submit host (each rule's
    #: ``localrule:`` reads it).
    local: bool = False


#: Each rule's needs. Memory: measured peak RSS (docs/performance.md) with
#: room to spare; time: the longest measured job of the rule at the
#: reference size (4,500 clips), doubled.
RULES: dict[str, Needs] = {
    # Writes WAV files one at a time.
    "generate_example_audio": Needs(mem_mb=1000, runtime=10),
    # Reads the tables; lists the folder.
    "list_audio": Needs(mem_mb=1000, runtime=10, local=True),
    # One chunk of recordings (audio.chunk_files): about 10 ms a 10-second
    # clip, 300 MB peak for 500 clips.
    "extract_audio_chunk": Needs(mem_mb=1000, runtime=30),
    # Every chunk's arrays in memory at once: about 3x their size.
    "gather_audio_features": Needs(mem_mb=1000, runtime=10, mem_per_input_mb=3),
    # The reference size (6,000 clips of 40 x 501) is written clip block by clip block.
    "generate_default_data": Needs(mem_mb=1000, runtime=10),
    # Memory-mapped reads, but whole label and group arrays at the end.
    "validate_data": Needs(mem_mb=1000, runtime=10, mem_per_input_mb=3),
    # Streams the clips in blocks; the CNN's training features may ask for
    # every core (ThreadPlan.features: the barrier that lets the CNN start first).
    "make_features": Needs(mem_mb=1000, runtime=10, threads="features", mem_per_input_mb=3),
    # Forests: 300 MB measured at the default size, mostly pages of the
    # memory-mapped features; trees grow with the clips.
    "train_forest": Needs(mem_mb=4000, runtime=60, threads="training", cluster_threads=8, mem_per_input_mb=6),
    # Networks: 1.4 GB measured at the default size, 1.8 GB at the reference
    # size; 50 reference-size CNN epochs take about 16 minutes on two cores.
    "train_network": Needs(
        mem_mb=4000, runtime=240, threads="training", cluster_threads=8, mem_per_input_mb=4, gpu=True
    ),
    # A fold trains the same model on two thirds or more of the training
    # set; a cluster run groups four folds in one submission, one after
    # another (profiles/slurm, group-components), so each asks for a quarter
    # of a training job's time.
    "cross_validate": Needs(
        mem_mb=4000, runtime=60, threads="training", cluster_threads=8, mem_per_input_mb=4, gpu=True
    ),
    # The chosen network once more on the whole training set: as its training.
    "refit_network": Needs(
        mem_mb=4000, runtime=240, threads="training", cluster_threads=8, mem_per_input_mb=4, gpu=True
    ),
    # Learning curves (data_fractions): a clip list from the labels and groups.
    "make_subset": Needs(mem_mb=500, runtime=5, local=True),
    # One model on one subset, trained as on the whole training set (a
    # network's held-out part and refit) and scored on the test set: at
    # most a training job's needs.
    "fit_subset": Needs(
        mem_mb=4000, runtime=240, threads="training", cluster_threads=8, mem_per_input_mb=4, gpu=True
    ),
    # Reads a score file per model and fraction; draws one figure.
    "summarize_learning_curve": Needs(mem_mb=1000, runtime=5, local=True),
    # Reads the chosen run's facts and its folds' validation curves.
    "choose_epochs": Needs(mem_mb=500, runtime=5, local=True),
    # Reads each variant's training facts (and fold scores).
    "select_variant": Needs(mem_mb=500, runtime=5, local=True),
    # Knowledge distillation (config distill): each teacher predicts the
    # training clips, one model after another, in batches as an evaluation.
    "teacher_probabilities": Needs(
        mem_mb=2000, runtime=30, threads="evaluation", cluster_threads=4, mem_per_input_mb=3
    ),
    # 1.1 GB (CNN) at the default size, 1.3 GB at the reference size: the
    # prediction batches' activations (models.network.PREDICT_BATCH_SIZE).
    "evaluate_model": Needs(
        mem_mb=2000, runtime=20, threads="evaluation", cluster_threads=4, mem_per_input_mb=3, gpu=True
    ),
    "summarize_metrics": Needs(mem_mb=500, runtime=5, local=True),
    "summarize_folds": Needs(mem_mb=500, runtime=5),
    "compare_models": Needs(mem_mb=1000, runtime=5),
    # Closed-form counts only: no TensorFlow (7 MB measured).
    "count_parameters": Needs(mem_mb=1000, runtime=10),
    # The figures are drawn by forked workers, one per thread: ten or so
    # figures gain little beyond four.
    "render_report": Needs(mem_mb=1000, runtime=10, threads=4, cluster_threads=4, local=True),
    # Appends one row per model to the history of runs: a few lines of text.
    "record_run": Needs(mem_mb=500, runtime=5, local=True),
    # Says in one sentence that a target names no model of the config.
    "refuse_unknown_model": Needs(mem_mb=500, runtime=5, local=True),
    # One MLflow client writes the run, at the end: no contention for the store.
    "track_run": Needs(mem_mb=1000, runtime=10, local=True),
    # One network's bundle: the Keras, int8 LiteRT and ONNX models each
    # score the test set (LiteRT a clip at a time), on the CPU as a device
    # would: as evaluate_model's memory, never a GPU.
    "measure_deployed": Needs(
        mem_mb=2000, runtime=30, threads="evaluation", cluster_threads=4, mem_per_input_mb=3
    ),
    # Loads one model and writes its bundle (a forest in skops' format).
    "export_model": Needs(mem_mb=2000, runtime=10),
    "list_predict_recordings": Needs(mem_mb=1000, runtime=10, local=True),
    # As extract_audio_chunk.
    "extract_predict_chunk": Needs(mem_mb=1000, runtime=30),
    # As evaluate_model: one model's predictions in batches.
    "predict_model": Needs(
        mem_mb=2000, runtime=20, threads="evaluation", cluster_threads=4, mem_per_input_mb=3, gpu=True
    ),
}


@dataclass(frozen=True)
class Machine:
    """Where the run's jobs run, as far as the plan is concerned."""

    #: The cores the run may schedule (``--cores``); None where not given.
    cores: int | None
    #: The CPUs this process may run on (its affinity).
    cpus: int
    #: GPUs the NVIDIA driver shows (no TensorFlow import).
    gpus: int = 0
    #: Whether the jobs run on this machine; False on a cluster, where each
    #: job gets CPUs of its own, and in a job that re-reads the workflow.
    local: bool = True

    @classmethod
    def here(cls, cores: int | None, local: bool) -> Machine:
        return cls(cores=cores, cpus=usable_cpus(), gpus=driver_gpus(), local=local)


class Scheduling:
    """Each job's threads, priority and resources on ``machine``: never
    more running threads than CPUs locally, each job its own node's CPUs
    on a cluster."""

    def __init__(self, config: Mapping, machine: Machine, roster: Roster):
        self.config = config
        self.machine = machine
        self.roster = roster

    @cached_property
    def cores(self) -> int | None:
        """The cores a local run schedules: ``--cores``, but never more than
        the CPUs (``--cores 8`` on two CPUs would run four two-thread jobs on
        them); None (unbounded) on a cluster."""
        if not self.machine.local:
            return None
        return local_cores(self.machine.cores, self.machine.cpus)

    @property
    def cores_note(self) -> str | None:
        """What to tell the user when the run schedules fewer cores than asked."""
        if self.cores is None or self.cores == self.machine.cores:
            return None
        cpus = f"{self.cores} CPU" + ("s" if self.cores > 1 else "")
        return (
            f"--cores {self.machine.cores}, but this run may use {cpus}: "
            f"at most {self.cores} threads run at once."
        )

    @cached_property
    def work(self) -> Work:
        """The run's training chains, estimated (:mod:`ascflow.plan.costs`)."""
        networks = {self.roster.family(model) for model in self.roster.networks}
        refit = any(self.roster.refits(model) for model in self.roster.networks)
        trees = [parse_model_name(model).trees for model in self.roster.forests]
        return run_work(self.config, sorted(networks), trees, refit)

    @cached_property
    def thread_plan(self) -> ThreadPlan:
        return thread_plan(self.cores, lambda cores, lstm: refit_beside(self.work, cores, lstm))

    @staticmethod
    def is_local(rule: str) -> bool:
        """Whether a cluster run keeps the rule's jobs on the submit host."""
        return RULES[rule].local

    def threads(self, rule: str, wildcards: Mapping[str, str] | None = None) -> int:
        """A job's threads: the rule's own, the thread plan's for its kind
        locally, or what it asks a cluster node for."""
        needs, wildcards = RULES[rule], wildcards or {}
        if not self.machine.local and needs.cluster_threads:
            return needs.cluster_threads
        if needs.threads == "training":
            return self.thread_plan.training(self.roster.family(wildcards["model"]), rule == "refit_network")
        if needs.threads == "evaluation":
            return self.thread_plan.evaluation
        if needs.threads == "features":
            return self.thread_plan.features(layout_family(wildcards["layout"]), wildcards["split"])
        return min(needs.threads, self.cores or needs.threads)

    def cpu_share(self, threads: int) -> int:
        """A local job's share of the CPUs in :data:`CPU_SHARE_WHOLE` parts:
        where ``--cores`` exceeds the CPUs, the default profile's global
        limit on it keeps the running threads within the CPUs. Nothing on a
        cluster, and nothing where ``--cores`` alone already does."""
        if self.cores is None or self.machine.cores is None or self.machine.cores <= self.cores:
            return 0
        return math.floor(CPU_SHARE_WHOLE * min(threads, self.cores) / self.cores)

    def priority(self, rule: str, wildcards: Mapping[str, str] | None = None) -> int:
        """Which ready jobs start first: the CNN's training (and the
        features it waits for), then the LSTM's, then what follows a
        network's training (its test features, evaluation, export and the
        measurement of its exports: the LSTM's are a minute's chain, as its
        int8 export unrolls it, which otherwise waits behind the forests and
        ends the run alone), then the rest."""
        wildcards = wildcards or {}
        if rule in ("train_forest", "train_network", "refit_network"):
            return start_priority(self.roster.family(wildcards["model"]))
        if rule == "make_features":
            family = layout_family(wildcards["layout"])
            if wildcards["split"] == "train":
                return start_priority(family)
            return TAIL_PRIORITY if family != "rf" else 0
        if rule in NETWORK_TAIL and self.roster.family(wildcards["model"]) != "rf":
            return TAIL_PRIORITY
        return 0

    @staticmethod
    def mem_mb(rule: str, input_mb: float = 0, attempt: int = 1) -> int:
        needs = RULES[rule]
        return math.ceil(max(needs.mem_mb, needs.mem_per_input_mb * input_mb)) * attempt

    @staticmethod
    def runtime(rule: str, attempt: int = 1) -> int:
        return RULES[rule].runtime * attempt

    def gpu_request(self, model: str) -> int:
        """Snakemake's standard ``gpu`` resource of a model's job: 1 for a
        network under ``gpu: true`` (or ``auto`` where the driver shows a
        GPU), 0 for a forest."""
        if self.roster.family(model) == "rf":
            return 0
        return gpu_request(self.config["gpu"], self.machine.gpus)

    def resources(self, rule: str, wildcards: Mapping[str, str], attempt: int = 1) -> dict:
        """What one attempt of a job asks for before a profile overrides it:
        threads and Snakemake's resources; memory that grows with the inputs
        is None while their size is unknown."""
        needs = RULES[rule]
        resources = {
            "threads": self.threads(rule, wildcards),
            "runtime": self.runtime(rule, attempt),
            "mem_mb": None if needs.mem_per_input_mb else self.mem_mb(rule, attempt=attempt),
        }
        if needs.gpu:
            resources["gpu"] = self.gpu_request(wildcards["model"])
        return resources

    def cluster_requests(
        self, jobs, entries: ProfileEntries, attempts: int, chooses_partitions: bool
    ) -> list[Request]:
        """What each attempt of each of ``jobs`` (the plan's :class:`Job`
        list) that a cluster runs asks Slurm for, with the profile's
        ``entries`` applied. Where the Slurm plugin chooses the partitions
        itself (``chooses_partitions``), a job that names none is left to it."""
        requests = []
        for job in jobs:
            if self.is_local(job.rule):
                continue
            for attempt in range(1, attempts + 1):
                resources = self.resources(job.rule, job.wildcards, attempt)
                request = job_request(job.rule, job.wildcards, resources, entries, attempt)
                if request.partition or not chooses_partitions:
                    requests.append(request)
        return requests
