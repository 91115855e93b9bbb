"""What a run does, decided from the config and the machine, in one module.

``workflow/rules/common.smk`` builds one :class:`Plan` when Snakemake parses
the workflow and maps its decisions to paths; every decision is made here,
as a pure function of the validated config and a :class:`Machine`, and is
unit-tested without Snakemake (``tests/unit/test_plan.py``):

* where the data comes from (the built-in set, a folder of arrays, or
  recordings) and which files of it the jobs read;
* which models train (a forest per tree count, the networks, once per
  seed), as which training runs (a sweep's variants), on which
  cross-validation folds, which variant validation keeps and whether the
  kept network is trained again on the whole training set (refit);
* each model's identity: the settings it trains with and their digest, and
  the inputs it reads (the test set only in the reference's validation mode);
* each job's threads, start priority and resources (memory, time, GPUs, and
  its share of this machine's CPUs), from :data:`RULES`, where every number
  stands beside its reason;
* every job of the run, by rule and wildcards, which the Slurm check reads.

Profiles override threads and resources (``set-threads``,
``set-resources``): this module gives the workflow's own values.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from ascflow.cluster import ProfileEntries, Request, job_request
from ascflow.data.audio import audio_settings
from ascflow.data.audio_folder import layout_files, recordings_on_disk
from ascflow.data.validation import SPLITS
from ascflow.errors import AscflowError
from ascflow.features import LAYOUTS
from ascflow.files import content_digest
from ascflow.models.device import driver_gpus, gpu_request
from ascflow.models.naming import FAMILY_LAYOUT, model_names, model_seed, parse_model_name
from ascflow.models.settings import ARCHITECTURE_KEYS
from ascflow.models.sweep import SweepPlan
from ascflow.threads import ThreadPlan, local_cores, start_priority, thread_plan, usable_cpus

#: Where generate_default_data writes the built-in data.
DEFAULT_DATA_DIR = "resources/default"
#: Where gather_audio_features writes the arrays extracted from audio_dir.
AUDIO_DATA_DIR = "results/audio/data"
#: The one folder generate_example_audio writes the example recordings into.
EXAMPLE_AUDIO_DIR = "resources/example-audio"

#: A job's share of this machine's CPUs is counted in ten-thousandths, against
#: the global limit ``cpu_share: 10000`` that profiles/default sets: fine
#: enough that one more one-thread job than CPUs never fits (up to ~140 CPUs).
CPU_SHARE_WHOLE = 10_000


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
    #: A cheap job that a cluster run keeps on the submit host (localrules).
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
    # Reads each variant's training facts (and fold scores).
    "select_variant": Needs(mem_mb=500, runtime=5, local=True),
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
    # One MLflow client writes the run, at the end: no contention for the store.
    "track_run": Needs(mem_mb=1000, runtime=10, local=True),
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


@dataclass(frozen=True)
class Job:
    """One job of the run: a rule and its wildcards."""

    rule: str
    wildcards: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Output:
    """A file another rule makes, which a job reads: the rule, the name of
    its output, and the wildcards that name the file (common.smk turns it
    into the path the rule files give)."""

    rule: str
    name: str
    wildcards: tuple[tuple[str, str], ...] = ()


def output(rule: str, name: str, **wildcards) -> Output:
    return Output(rule, name, tuple(sorted(wildcards.items())))


#: The validated data every model's training and evaluation read.
SUMMARY = output("validate_data", "summary")


def prepare_config(config: dict, schema: Mapping) -> None:
    """Check ``config`` against its schema in one sentence, with nested
    overrides (``--config 'cnn={epochs: 2}'``, which arrive as text) and the
    sweep's values typed by it; the sweep must name keys and values its
    families take."""
    from ascflow.configuration import check_config, coerce_to_schema
    from ascflow.models.sweep import check_sweep, typed_sweep

    coerce_to_schema(config, schema)
    check_config(config, schema)
    config["sweep"] = typed_sweep(config.get("sweep", {}), schema)
    check_sweep(config["sweep"], schema, config.get("validation", {}).get("mode", "holdout"))


def canonical(value):
    """``value`` with every mapping's keys sorted, recursively: Snakemake
    compares params by their text, so the order of keys in a config file
    alone must not re-run anything."""
    if isinstance(value, Mapping):
        return {key: canonical(value[key]) for key in sorted(value)}
    if isinstance(value, list | tuple):
        return [canonical(item) for item in value]
    return value


class Plan:
    """The decisions of one run; ``config`` is validated, with defaults.

    ``variant_labels`` names a sweep's variants from their values (rows of a
    table, one column per swept key): common.smk gives Snakemake's
    ``Paramspace`` naming, so that a variant reads the same in paths, tables
    and figures."""

    def __init__(self, config: Mapping, machine: Machine, variant_labels=None):
        self.config = config
        self.machine = machine
        self.sweep = SweepPlan(config["sweep"], variant_labels)

    # ---- threads: never more running threads than CPUs ---------------------

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
    def thread_plan(self) -> ThreadPlan:
        return thread_plan(self.cores)

    def threads(self, rule: str, wildcards: Mapping[str, str] | None = None) -> int:
        """A job's threads: the rule's own, the thread plan's for its kind
        locally, or what it asks a cluster node for."""
        needs, wildcards = RULES[rule], wildcards or {}
        if not self.machine.local and needs.cluster_threads:
            return needs.cluster_threads
        if needs.threads == "training":
            return self.thread_plan.training(self.family(wildcards["model"]))
        if needs.threads == "evaluation":
            return self.thread_plan.evaluation
        if needs.threads == "features":
            family = self.layout_family(wildcards["layout"])
            return self.thread_plan.features(family, wildcards["split"])
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
        features it waits for), then the LSTM's, then the rest."""
        wildcards = wildcards or {}
        if rule in ("train_forest", "train_network", "refit_network"):
            return start_priority(self.family(wildcards["model"]))
        if rule == "make_features" and wildcards["split"] == "train":
            return start_priority(self.layout_family(wildcards["layout"]))
        return 0

    def mem_mb(self, rule: str, input_mb: float = 0, attempt: int = 1) -> int:
        needs = RULES[rule]
        return math.ceil(max(needs.mem_mb, needs.mem_per_input_mb * input_mb)) * attempt

    def runtime(self, rule: str, attempt: int = 1) -> int:
        return RULES[rule].runtime * attempt

    # ---- data ----------------------------------------------------------------

    @property
    def source(self) -> str:
        """ "synthetic" (the built-in set), "user" (data_dir's arrays) or
        "audio" (arrays extracted from audio_dir's recordings)."""
        if self.config["audio_dir"]:
            return "audio"
        return "user" if self.config["data_dir"] else "synthetic"

    @property
    def data_dir(self) -> str:
        return {"synthetic": DEFAULT_DATA_DIR, "user": self.config["data_dir"], "audio": AUDIO_DATA_DIR}[
            self.source
        ]

    @property
    def writes_example_audio(self) -> bool:
        return self.source == "audio" and self.config["example_audio"]["write"]

    @property
    def data_made_with_groups(self) -> bool:
        """The workflow writes the data (and its groups and classes) itself."""
        return self.source != "user"

    def check_inputs(self) -> None:
        """One sentence, before any job starts, when data_dir and audio_dir
        are both set, when the example recordings would be written elsewhere
        than audio_dir, when the audio settings do not fit together, when
        audio_dir lacks meta.csv or the split, or when predict_dir holds
        nothing the models can classify."""
        self.check_sources()
        if self.source == "audio" and not self.writes_example_audio:
            layout_files(self.config["audio_dir"])
        self.check_predict_dir([f"results/export/{model}" for model in self.models])

    def audio_listing(self) -> str:
        """A digest of the recordings in audio_dir/audio, a param of
        list_audio: adding or removing one lists the folder again (which then
        names any that meta.csv does not list). The example's follow its settings."""
        if self.writes_example_audio:
            return content_digest(self.example_audio_settings)
        return content_digest(recordings_on_disk(self.config["audio_dir"])) if self.source == "audio" else ""

    def predict_listing(self) -> str:
        """A digest of the recordings below predict_dir: adding or removing
        one lists the folder again."""
        from ascflow.prediction import recording_inputs

        return (
            content_digest(recording_inputs(self.config["predict_dir"])) if self.predicts_recordings else ""
        )

    def check_sources(self) -> None:
        """One sentence when data_dir and audio_dir are both set, when the
        example recordings would be written elsewhere than audio_dir, or
        when the audio settings do not fit together."""
        if self.config["data_dir"] and self.config["audio_dir"]:
            raise AscflowError(
                "config keys data_dir and audio_dir are both set; set one of them "
                "(data_dir for .npy arrays, audio_dir for recordings)."
            )
        if self.config["example_audio"]["write"] and (
            Path(self.config["audio_dir"]).resolve() != Path(EXAMPLE_AUDIO_DIR).resolve()
        ):
            raise AscflowError(
                "config key example_audio.write: writes the example recordings into "
                f"{EXAMPLE_AUDIO_DIR} only; set audio_dir: {EXAMPLE_AUDIO_DIR}."
            )
        if self.source == "audio":
            audio_settings(self.config["audio"])

    @property
    def audio_settings(self) -> dict:
        """The extraction settings, which every chunk's features depend on
        (not the chunk size, which only cuts the work into jobs)."""
        return canonical({key: value for key, value in self.config["audio"].items() if key != "chunk_files"})

    @property
    def example_audio_settings(self) -> dict:
        return canonical(
            {key: value for key, value in self.config["example_audio"].items() if key != "write"}
        )

    # ---- models --------------------------------------------------------------

    @cached_property
    def models(self) -> list[str]:
        """Every model this config evaluates: rf_<trees>..., cnn, lstm (+ seeds)."""
        return model_names(self.config["rf"]["n_estimators"], self.config["seeds"])

    @property
    def forests(self) -> list[str]:
        return [model for model in self.models if self.family(model) == "rf"]

    @property
    def networks(self) -> list[str]:
        return [model for model in self.models if self.family(model) != "rf"]

    @cached_property
    def training_runs(self) -> list[str]:
        """Every training run: each model's sweep variants
        (cnn_learning_rate-0.004), or the model itself."""
        return self.sweep.all_runs(self.models)

    @property
    def forest_runs(self) -> list[str]:
        return [run for run in self.training_runs if self.family(run) == "rf"]

    @property
    def network_runs(self) -> list[str]:
        return [run for run in self.training_runs if self.family(run) != "rf"]

    def runs(self, model: str) -> list[str]:
        """A model's training runs: its variants, or itself."""
        return self.sweep.runs(model)

    def is_swept(self, model: str) -> bool:
        return self.sweep.is_swept(model)

    @property
    def swept_models(self) -> list[str]:
        return [model for model in self.models if self.is_swept(model)]

    def refits(self, model: str) -> bool:
        """Whether a network is trained once more on the whole training set
        once validation has chosen its variant and epochs (config refit).
        Forests are fitted on the whole training set already; with
        validation.mode: test the networks are too."""
        return (
            self.config["refit"]
            and self.family(model) != "rf"
            and self.config["validation"]["mode"] == "holdout"
        )

    @property
    def refit_models(self) -> list[str]:
        return [model for model in self.models if self.refits(model)]

    def forest_validates(self, run: str) -> bool:
        """A swept forest scores each variant on the held-out part (besides
        its fit on the whole training set), unless the cv folds rank them."""
        return self.family(run) == "rf" and self.is_swept(run) and not self.uses_cv

    @staticmethod
    def family(model: str) -> str:
        return parse_model_name(model).family

    @staticmethod
    def layout(model: str) -> str:
        """The feature layout a model reads."""
        return FAMILY_LAYOUT[parse_model_name(model).family]

    @staticmethod
    def layout_family(layout: str) -> str:
        return next(family for family, family_layout in FAMILY_LAYOUT.items() if family_layout == layout)

    def seed(self, model: str) -> int:
        return model_seed(model, self.config["seed"])

    def time_major(self, layout: str) -> str:
        """How the LSTM's layout views a clip; the other layouts keep a fixed
        value, so that changing it re-runs the LSTM's features alone."""
        return self.config["lstm"]["time_major"] if layout == "time_major" else "transpose"

    def settings(self, run: str) -> dict:
        """A forest's tree count and the rf section's other keys, or a
        network's config section (cnn or lstm) alone, with the run's sweep
        values: changing one model's settings re-runs that model only."""
        name = parse_model_name(run)
        if name.family == "rf":
            rf = self.config["rf"]
            section = {
                "n_estimators": name.trees,
                "max_features": rf["max_features"],
                "min_samples_leaf": rf["min_samples_leaf"],
            }
            return self.sweep.settings(run, section)
        return canonical(self.sweep.settings(run, self.config[name.family]))

    def variant_settings(self, model: str) -> dict[str, dict]:
        """Every training run of a model with its settings: what its choice
        and its refit depend on."""
        return {run: self.settings(run) for run in self.runs(model)}

    def validation(self, run: str) -> dict:
        """The held-out split a run validates on: a network's, or a swept
        forest's (to rank its variants); otherwise none."""
        if self.family(run) == "rf" and not self.forest_validates(run):
            return {}
        return canonical(self.config["validation"])

    def reads_test_set(self, model: str) -> bool:
        """Training reads the test set only in the reference's flawed
        validation mode "test", and only for the networks."""
        return self.family(model) != "rf" and self.config["validation"]["mode"] == "test"

    def training_facts(self, run: str) -> dict:
        """Every setting that shapes a training run besides the data: what
        its settings digest covers."""
        facts = {
            "seed": self.seed(run),
            "standardize": self.config["features"]["standardize"],
            "settings": self.settings(run),
        }
        if self.validation(run):
            facts["validation"] = self.validation(run)
        return facts

    def settings_digest(self, run: str) -> str:
        """Recorded by a run's training and carried into the metrics."""
        return content_digest(self.training_facts(run))

    def model_digest(self, model: str) -> str:
        """What an evaluated model was made with: its training run's digest,
        or, when validation chose among variants or a refit followed, every
        run's, how they were ranked and whether the choice was refitted. The
        report checks each model's metrics against it."""
        runs = self.runs(model)
        if runs == [model] and not self.refits(model):
            return self.settings_digest(model)
        return content_digest(
            {
                "runs": {run: self.settings_digest(run) for run in runs},
                "ranked_by_folds": self.config["cv"]["folds"] if self.is_swept(model) else 0,
                "refit": self.refits(model),
            }
        )

    @property
    def settings_digests(self) -> dict[str, str]:
        return {model: self.model_digest(model) for model in self.models}

    def architecture(self, family: str) -> dict:
        """The keys of a network's section that shape the network: what its
        parameter count depends on."""
        return canonical({key: self.config[family][key] for key in ARCHITECTURE_KEYS[family]})

    def gpu_request(self, model: str) -> int:
        """Snakemake's standard ``gpu`` resource of a model's job: 1 for a
        network under ``gpu: true`` (or ``auto`` where the driver shows a
        GPU), 0 for a forest."""
        return 0 if self.family(model) == "rf" else gpu_request(self.config["gpu"], self.machine.gpus)

    def gpu_setting(self, model: str):
        """The config's ``gpu`` for a network; a forest's is fixed, so that
        changing it re-runs the networks alone."""
        return False if self.family(model) == "rf" else self.config["gpu"]

    def prediction_inputs(self, model: str, chunks: list[str]) -> dict:
        """A model's bundle and what it classifies: the listing of new
        recordings and its ``chunks``, or predict_dir's X.npy; and meta.csv
        where predict_dir has one, whose labels score the predictions."""
        from ascflow.prediction import ARRAY_FILE, META_FILE

        folder = Path(self.config["predict_dir"])
        inputs: dict = {"bundle": output("export_model", "bundle", model=model)}
        if self.predicts_recordings:
            inputs["manifest"] = output("list_predict_recordings", "manifest")
            inputs["chunks"] = [output("extract_predict_chunk", "chunk", chunk=chunk) for chunk in chunks]
        else:
            inputs["clips"] = str(folder / ARRAY_FILE)
        if (folder / META_FILE).is_file():
            inputs["meta"] = str(folder / META_FILE)
        return inputs

    def prediction_files(self, kind: str) -> list[Output]:
        """Every model's prediction ``table`` or ``facts`` when predict_dir is set."""
        return (
            [output("predict_model", kind, model=model) for model in self.models]
            if self.uses_prediction
            else []
        )

    def prediction_targets(self) -> list[Output]:
        """What the predict target asks for: every model's table and facts."""
        if not self.uses_prediction:
            raise AscflowError(
                "config key predict_dir: is empty; name the folder to classify "
                "(snakemake --cores 8 predict --config predict_dir=PATH)."
            )
        return self.prediction_files("table") + self.prediction_files("facts")

    def check_predict_dir(self, bundle_dirs: list[str]) -> None:
        """One sentence when predict_dir holds nothing the models can
        classify; for array-trained models, checked against the bundles
        exported already, so that a wrong shape stops the run before any
        job (and no table of the models is removed)."""
        from ascflow.prediction import check_array_input, recording_inputs

        if self.predicts_recordings:
            recording_inputs(self.config["predict_dir"])
        elif self.uses_prediction:
            check_array_input(self.config["predict_dir"], bundle_dirs)

    @property
    def uses_prediction(self) -> bool:
        """Whether the run classifies predict_dir with every model."""
        return bool(self.config["predict_dir"])

    @property
    def predicts_recordings(self) -> bool:
        """Models trained on recordings classify recordings (extracted as
        their bundles say); those trained on arrays classify predict_dir's X.npy."""
        return self.uses_prediction and self.source == "audio"

    @property
    def tracks_runs(self) -> bool:
        """Whether the run is logged to MLflow (config mlflow_tracking_uri)."""
        return bool(self.config["mlflow_tracking_uri"])

    # ---- what each job reads ---------------------------------------------------

    def data_files(self, present: set[str]) -> dict[str, str]:
        """The data folder's files validation reads, by stem: the four
        arrays, the group files and classes.txt (those the workflow writes,
        or of the user's folder those ``present``)."""
        files = {stem: f"{self.data_dir}/{stem}.npy" for stem in ("X_train", "y_train", "X_test", "y_test")}
        for name in (*(f"groups_{split}.npy" for split in SPLITS), "classes.txt"):
            if self.data_made_with_groups or name in present:
                files[name.rsplit(".", 1)[0]] = f"{self.data_dir}/{name}"
        return files

    def features(self, model: str, split: str) -> Output:
        return output("make_features", "features", layout=self.layout(model), split=split)

    def trained(self, model: str) -> dict:
        """The model its evaluation scores and its bundle holds: the refit
        one, or each training run's with validation's choice among them."""
        if self.refits(model):
            runs, rule = [model], "refit_network"
        else:
            runs = self.runs(model)
            rule = "train_forest" if self.family(model) == "rf" else "train_network"
        files = {
            "model": [output(rule, "model", model=run) for run in runs],
            "info": [output(rule, "info", model=run) for run in runs],
            "summary": SUMMARY,
        }
        if self.is_swept(model):
            files["selection"] = output("select_variant", "selection", model=model)
        return files

    def inputs(self, rule: str, model: str) -> dict:
        """What a model's job of ``rule`` reads. Only the evaluation reads
        the test set, and training does only in the reference's flawed
        validation mode "test"; cross-validation, the choice among variants
        and the refit never do."""
        training = {
            "features": self.features(model, "train"),
            "labels": output("validate_data", "train_labels"),
            "summary": SUMMARY,
        }
        if rule == "train_forest":
            if self.forest_validates(model):
                training["groups"] = output("validate_data", "train_groups")
            return training
        if rule in ("train_network", "cross_validate"):
            training["groups"] = output("validate_data", "train_groups")
            if rule == "train_network" and self.reads_test_set(model):
                training["test_features"] = self.features(model, "test")
                training["test_labels"] = output("validate_data", "test_labels")
            return training
        if rule == "select_variant":
            trained_by = "train_forest" if self.family(model) == "rf" else "train_network"
            runs = self.runs(model)
            return {
                "infos": [output(trained_by, "info", model=run) for run in runs],
                "folds": [
                    output("cross_validate", "fold", model=run, fold=str(fold))
                    for run in runs
                    for fold in self.folds
                ],
            }
        if rule == "refit_network":
            chosen = (
                output("select_variant", "selection", model=model)
                if self.is_swept(model)
                else output("train_network", "info", model=model)
            )
            return {**training, "chosen": chosen}
        if rule == "evaluate_model":
            return {
                **self.trained(model),
                "features": self.features(model, "test"),
                "labels": output("validate_data", "test_labels"),
            }
        if rule == "export_model":
            return self.trained(model)
        raise ValueError(f"no model inputs for rule {rule!r}")

    def targets(self) -> list[Output]:
        """Everything a run delivers besides the report. The models and their
        metrics are listed too: Snakemake does not re-create a missing
        intermediate file while the files made from it exist, so a model
        deleted (say, after its evaluation found it damaged) would otherwise
        never be retrained and the report would keep describing it."""
        made = [output("validate_data", "summary")]
        made += [output("train_forest", "model", model=run) for run in self.forest_runs]
        made += [output("train_network", "model", model=run) for run in self.network_runs]
        made += [output("refit_network", "history", model=model) for model in self.refit_models]
        made += [output("select_variant", "selection", model=model) for model in self.swept_models]
        made += [output("evaluate_model", "metrics", model=model) for model in self.models]
        made += [output("compare_models", "comparisons"), output("summarize_metrics", "summary")]
        made += [output("summarize_folds", "folds")] if self.uses_cv else []
        made.append(output("count_parameters", "counts"))
        made += self.prediction_files("table")
        if self.tracks_runs:
            made.append(output("track_run", "tracked"))
        return made

    # ---- cross-validation ----------------------------------------------------

    @property
    def uses_cv(self) -> bool:
        return self.config["cv"]["folds"] > 1

    @property
    def folds(self) -> list[int]:
        """The fold numbers, 1..K; none when not cross-validating."""
        return list(range(1, self.config["cv"]["folds"] + 1)) if self.uses_cv else []

    # ---- the jobs --------------------------------------------------------------

    def jobs(self, chunks: list[str] | None = None, new_chunks: list[str] | None = None) -> list[Job]:
        """Every job of the run, in the order the data flows; ``chunks``:
        the audio chunks, once list_audio has listed them, and
        ``new_chunks`` predict_dir's (one stands for all where they are not
        known yet)."""
        jobs = []
        if self.source == "audio":
            if self.writes_example_audio:
                jobs.append(Job("generate_example_audio"))
            jobs.append(Job("list_audio"))
            jobs += [Job("extract_audio_chunk", {"chunk": chunk}) for chunk in chunks or ["0000"]]
            jobs.append(Job("gather_audio_features"))
        if self.source == "synthetic":
            jobs.append(Job("generate_default_data"))
        jobs.append(Job("validate_data"))
        jobs += [
            Job("make_features", {"layout": layout, "split": split}) for layout in LAYOUTS for split in SPLITS
        ]
        jobs += [Job("train_forest", {"model": run}) for run in self.forest_runs]
        jobs += [Job("train_network", {"model": run}) for run in self.network_runs]
        jobs += [
            Job("cross_validate", {"model": run, "fold": str(fold)})
            for run in self.training_runs
            for fold in self.folds
        ]
        jobs += [Job("select_variant", {"model": model}) for model in self.swept_models]
        jobs += [Job("refit_network", {"model": model}) for model in self.refit_models]
        jobs += [Job("evaluate_model", {"model": model}) for model in self.models]
        jobs += [Job("summarize_metrics"), Job("compare_models")]
        if self.uses_cv:
            jobs.append(Job("summarize_folds"))
        jobs += [Job("count_parameters"), Job("render_report")]
        if self.tracks_runs:
            jobs.append(Job("track_run"))
        if self.uses_prediction:
            jobs += [Job("export_model", {"model": model}) for model in self.models]
        if self.predicts_recordings:
            jobs.append(Job("list_predict_recordings"))
            jobs += [Job("extract_predict_chunk", {"chunk": chunk}) for chunk in new_chunks or ["0000"]]
        if self.uses_prediction:
            jobs += [Job("predict_model", {"model": model}) for model in self.models]
        return jobs

    def resources(self, job: Job, attempt: int = 1) -> dict:
        """What one attempt of a job asks for before a profile overrides it:
        threads and Snakemake's resources; memory that grows with the inputs
        is None while their size is unknown."""
        needs = RULES[job.rule]
        resources = {
            "threads": self.threads(job.rule, job.wildcards),
            "runtime": self.runtime(job.rule, attempt),
            "mem_mb": None if needs.mem_per_input_mb else self.mem_mb(job.rule, attempt=attempt),
        }
        if needs.gpu:
            resources["gpu"] = self.gpu_request(job.wildcards["model"])
        return resources

    def cluster_requests(
        self, entries: ProfileEntries, attempts: int, chooses_partitions: bool
    ) -> list[Request]:
        """What each attempt of every job a cluster runs asks Slurm for, with
        the profile's ``entries`` applied. Where the Slurm plugin chooses the
        partitions itself (``chooses_partitions``), a job that names none is
        left to it."""
        requests = []
        for job in self.jobs():
            if RULES[job.rule].local:
                continue
            for attempt in range(1, attempts + 1):
                request = job_request(job.rule, job.wildcards, self.resources(job, attempt), entries, attempt)
                if request.partition or not chooses_partitions:
                    requests.append(request)
        return requests
