"""Config validation, wildcard constraints and the helpers the rules share.

Every function a rule calls lives here (input functions, params functions
and the lists of targets), so that the stage files hold rules alone.
"""

import functools
import os
import subprocess
import sys
from pathlib import Path

import yaml
from snakemake.utils import validate

# The rules' logic is the ascflow package in workflow/ascflow, beside this
# file (current_basedir: right where the workflow is a module of another
# folder too). The Snakefile imports it from there, and so does every job,
# through PYTHONPATH, which local jobs, cluster jobs (they parse this file
# again) and conda environments inherit: no install step, and never an
# installed copy of other code than the one Snakemake tracks. A workflow read
# from GitHub (a snakedeploy module) has no such folder: there the installed
# package serves (README, "Use it as a module").
if workflow.current_basedir.is_local:
    PACKAGE_PARENT = str(Path(workflow.current_basedir, "..").resolve())
    sys.path.insert(0, PACKAGE_PARENT)
    # Set here, not required of the user (so no `envvars:`); each entry once,
    # also where a job parses this file again.
    PYTHONPATH = [PACKAGE_PARENT, *os.environ.get("PYTHONPATH", "").split(os.pathsep)]
    PYTHONPATH = dict.fromkeys(entry for entry in PYTHONPATH if entry)
    os.environ.update(PYTHONPATH=os.pathsep.join(PYTHONPATH))

from ascflow.cluster import (
    SINFO_COMMAND,
    check_profile_entries,
    check_requests,
    parse_sinfo,
    request_from_resources,
)
from ascflow.configuration import check_config, coerce_to_schema
from ascflow.data.validation import SPLITS, data_digests, data_paths, group_paths
from ascflow.data.audio import audio_settings
from ascflow.data.audio_folder import (
    chunk_paths,
    layout_files,
    recording_digests,
    recordings_on_disk,
)
from ascflow.errors import AscflowError
from ascflow.files import DIGEST_CACHE, content_digest, read_json
from ascflow.features import LAYOUTS
from ascflow.models.counting import COUNTED_NETWORKS
from ascflow.models.device import driver_gpus, gpu_request
from ascflow.models.naming import (
    FAMILY_LAYOUT,
    FOREST_PATTERN,
    NETWORK_PATTERN,
    model_names,
    model_seed,
    parse_model_name,
)
from ascflow.models.settings import ARCHITECTURE_KEYS
from ascflow.report.outputs import figure_outputs, network_names
from ascflow.sources import code_digest
from ascflow.threads import local_cores, start_priority, thread_plan, usable_cpus


def stop(error):
    """End the run before any job starts, with the one sentence of ``error``
    (as a failing job's script prints it), not a traceback."""
    print(f"ascflow: {error}", file=sys.stderr)
    raise SystemExit(1)


# source_path: a local copy also where the workflow is read from GitHub.
CONFIG_SCHEMA = Path(workflow.source_path("../schemas/config.schema.yaml"))
try:
    # Nested overrides (--config 'cnn={epochs: 2}') arrive as text.
    coerce_to_schema(config, yaml.safe_load(CONFIG_SCHEMA.read_text()))
    check_config(config, yaml.safe_load(CONFIG_SCHEMA.read_text()))
except AscflowError as error:
    stop(error)
# Fills in the schema's defaults; every problem was reported above.
validate(config, schema=CONFIG_SCHEMA)


wildcard_constraints:
    split="|".join(SPLITS),
    layout="|".join(LAYOUTS),
    chunk="[0-9]+",


DEFAULT_DATA_DIR = "resources/default"


def limit_cores_to_cpus():
    """A local run schedules at most as many threads as the CPUs it may use:
    `--cores 8` on a two-CPU laptop would otherwise run four two-thread jobs
    on two CPUs (ascflow.threads). A cluster run (--jobs) is left alone, as
    its jobs run on CPUs of their own; so is a job run by the cluster."""
    cores = workflow.global_resources["_cores"].value
    if not workflow.is_main_process or workflow.global_resources["_nodes"].value:
        return None
    limited = local_cores(cores, usable_cpus())
    if limited != cores:
        workflow.global_resources["_cores"] = limited
        cpus = f"{limited} CPU" + ("s" if limited > 1 else "")
        print(
            f"ascflow: --cores {cores}, but this run may use {cpus}: "
            f"at most {limited} threads run at once.",
            file=sys.stderr,
        )
    return limited


#: The threads of each training and evaluation job (ascflow.threads); a job
#: never runs more than the CPUs it may use, whatever it asked for (see
#: ascflow.stages.runtime.usable_threads).
THREAD_PLAN = thread_plan(limit_cores_to_cpus())


def get_training_threads(wildcards):
    return THREAD_PLAN.training(parse_model_name(wildcards.model).family)


def get_training_priority(wildcards):
    return start_priority(parse_model_name(wildcards.model).family)


LAYOUT_FAMILY = {layout: family for family, layout in FAMILY_LAYOUT.items()}


def get_feature_threads(wildcards):
    return THREAD_PLAN.features(LAYOUT_FAMILY[wildcards.layout], wildcards.split)


def get_feature_priority(wildcards):
    """A network's training features start with its training's priority."""
    if wildcards.split != "train":
        return 0
    return start_priority(LAYOUT_FAMILY[wildcards.layout])


def get_evaluation_threads(wildcards):
    return THREAD_PLAN.evaluation


#: The report's figure workers: its ten or so figures gain little beyond four.
REPORT_THREADS = 4


def canonical(value):
    """``value`` with every dict's keys sorted, recursively. Snakemake compares
    params by their text, so that the order of keys in a config file alone
    must not re-run anything."""
    if isinstance(value, dict):
        return {key: canonical(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [canonical(item) for item in value]
    return value


# ---- data ------------------------------------------------------------------


def get_data_source():
    """Where the data comes from: "synthetic" (the built-in set, made by
    generate_default_data), "user" (the .npy files of data_dir) or "audio"
    (log-mel arrays the audio rules extract from audio_dir's recordings)."""
    if config["audio_dir"]:
        return "audio"
    return "user" if config["data_dir"] else "synthetic"


def uses_default_data():
    """True when no data or audio folder is configured: the built-in data is made."""
    return get_data_source() == "synthetic"


def get_data_dir():
    folders = {
        "synthetic": DEFAULT_DATA_DIR,
        "user": config["data_dir"],
        "audio": AUDIO_DATA_DIR,
    }
    return folders[get_data_source()]


def get_data_digests():
    """The SHA-256 of each file of the user's data folder, a param of
    validate_data: replacing a file re-validates even when its modification
    time is older, and the folder copied or moved re-validates nothing.
    Stops the run at once when a file is missing or unreadable."""
    if get_data_source() != "user":
        return {}  # made by generate_default_data or the audio rules, tracked
    try:
        return data_digests(config["data_dir"], DIGEST_CACHE)
    except AscflowError as error:
        stop(error)


def get_data_files(wildcards=None):
    """The four .npy inputs by stem (X_train, ...), the group files if any
    (groups_train, groups_test) and classes.txt if any."""
    files = {stem: str(path) for stem, path in data_paths(get_data_dir()).items()}
    if get_data_source() != "user":  # the recordings are made with the data
        files.update(
            {
                f"groups_{split}": f"{get_data_dir()}/groups_{split}.npy"
                for split in SPLITS
            }
        )
    else:
        files.update(
            {stem: str(path) for stem, path in group_paths(get_data_dir()).items()}
        )
    classes = Path(get_data_dir(), "classes.txt")
    if get_data_source() != "user" or classes.is_file():
        files["classes"] = str(classes)
    if get_data_source() == "audio":  # what the extraction did, for the summary,
        files["audio_facts"] = rules.gather_audio_features.output.facts
        # and which recordings the clips are, for its sentences
        files["audio_manifest"] = rules.list_audio.output.manifest
    return files


def get_clips(wildcards):
    """The clips of one split, for its features."""
    return get_data_files()[f"X_{wildcards.split}"]


# ---- audio -----------------------------------------------------------------

#: Where gather_audio_features writes the arrays validate_data reads.
AUDIO_DATA_DIR = "results/audio/data"
#: The one folder generate_example_audio writes (example_audio.write).
EXAMPLE_AUDIO_DIR = "resources/example-audio"


def writes_example_audio():
    return get_data_source() == "audio" and config["example_audio"]["write"]


def check_audio_config():
    """Stop before any job starts when data_dir and audio_dir are both set,
    when the audio settings do not fit together, or when audio_dir lacks
    meta.csv or the split."""
    try:
        if config["data_dir"] and config["audio_dir"]:
            raise AscflowError(
                "config keys data_dir and audio_dir are both set; set one of them "
                "(data_dir for .npy arrays, audio_dir for recordings)."
            )
        example = Path(EXAMPLE_AUDIO_DIR).resolve()
        if config["example_audio"]["write"] and (
            Path(config["audio_dir"]).resolve() != example
        ):
            raise AscflowError(
                "config key example_audio.write: writes the example recordings into "
                f"{EXAMPLE_AUDIO_DIR} only; set audio_dir: {EXAMPLE_AUDIO_DIR}."
            )
        if get_data_source() == "audio":
            audio_settings(config["audio"])
            if not writes_example_audio():
                layout_files(config["audio_dir"])
    except AscflowError as error:
        stop(error)


check_audio_config()


def get_audio_settings():
    """The extraction settings, which every chunk's features depend on."""
    return canonical(
        {key: value for key, value in config["audio"].items() if key != "chunk_files"}
    )


def get_example_audio_settings():
    return canonical(
        {key: value for key, value in config["example_audio"].items() if key != "write"}
    )


def get_audio_layout_files(wildcards=None):
    """meta.csv and the split (split.csv or the two fold lists) of audio_dir,
    inputs of list_audio; the example's are generate_example_audio's outputs."""
    if writes_example_audio():
        return dict(rules.generate_example_audio.output.items())
    try:
        files = layout_files(config["audio_dir"])
    except AscflowError as error:
        stop(error)
    return {"meta": str(files["meta"][0]), "split": [str(p) for p in files["split"]]}


def get_audio_listing():
    """A digest of the recordings in audio_dir/audio, a param of list_audio:
    adding or removing one lists the folder again (which then names any that
    meta.csv does not list). The example's follow its settings."""
    if writes_example_audio():
        return content_digest(get_example_audio_settings())
    return content_digest(recordings_on_disk(config["audio_dir"]))


def get_audio_manifest():
    """What list_audio found: known once that checkpoint has run."""
    path = checkpoints.list_audio.get().output.manifest
    return _read_manifest(path, Path(path).stat().st_mtime_ns)


@functools.cache
def _read_manifest(path, mtime_ns):
    return read_json(path)


def get_audio_chunk_files(wildcards):
    """The recordings of one chunk, in file order."""
    return chunk_paths(get_audio_manifest(), wildcards.chunk)


def get_audio_chunk_digests(wildcards):
    """The SHA-256 of each recording of a chunk, a param of
    extract_audio_chunk: a recording replaced, even with an older
    modification time, extracts its chunk again, and that chunk alone."""
    path = checkpoints.list_audio.get().output.manifest
    digests = _recording_digests(path, Path(path).stat().st_mtime_ns)
    entries = get_audio_manifest()["files"]
    chunk = {entry["file"] for entry in entries if entry["chunk"] == wildcards.chunk}
    return {name: digest for name, digest in digests.items() if name in chunk}


@functools.cache
def _recording_digests(path, mtime_ns):
    """Every listed recording's digest, once per listing: each chunk's
    params take theirs from it."""
    return recording_digests(_read_manifest(path, mtime_ns), DIGEST_CACHE)


def get_audio_chunks(wildcards=None):
    """Every chunk's features, in chunk order, for the gather."""
    chunks = get_audio_manifest()["chunks"]
    return expand(rules.extract_audio_chunk.output.chunk, chunk=chunks)


# ---- models ----------------------------------------------------------------


def get_model_names():
    """Every model this config trains: rf_<trees>..., cnn, lstm (+ seeds)."""
    return model_names(config["rf"]["n_estimators"], config["seeds"])


def get_forest_names():
    return [
        model for model in get_model_names() if parse_model_name(model).family == "rf"
    ]


def get_model_family(wildcards):
    return parse_model_name(wildcards.model).family


def get_model_seed(wildcards):
    return model_seed(wildcards.model, config["seed"])


def get_features(layout, split):
    return expand(rules.make_features.output.features, layout=layout, split=split)[0]


def get_time_major(wildcards):
    """How the LSTM's layout views a clip; the other layouts keep a fixed
    value, so that changing it re-runs the LSTM's features alone."""
    return (
        config["lstm"]["time_major"]
        if wildcards.layout == "time_major"
        else "transpose"
    )


def get_training_facts(model):
    """Every setting that shapes a trained model besides the data: what its
    settings digest covers."""
    facts = {
        "seed": model_seed(model, config["seed"]),
        "standardize": config["features"]["standardize"],
        "settings": model_settings(model),
    }
    if parse_model_name(model).family != "rf":
        facts["validation"] = canonical(config["validation"])
    return facts


def get_settings_digest(wildcards):
    """Recorded by training and carried into the metrics; the report checks
    each model's against the config's (get_settings_digests)."""
    return content_digest(get_training_facts(wildcards.model))


def get_settings_digests():
    return {
        model: content_digest(get_training_facts(model)) for model in get_model_names()
    }


def model_settings(model):
    """A forest's tree count and the rf section's other keys, or a network's
    config section (cnn or lstm) alone, so that changing one model's settings
    re-runs that model only."""
    name = parse_model_name(model)
    if name.family == "rf":
        return {
            "n_estimators": name.trees,
            "max_features": config["rf"]["max_features"],
            "min_samples_leaf": config["rf"]["min_samples_leaf"],
        }
    return canonical(config[name.family])


def get_model_settings(wildcards):
    return model_settings(wildcards.model)


def get_architecture(family):
    """The keys of a network's config section that shape the network: what
    its parameter count depends on."""
    return canonical({key: config[family][key] for key in ARCHITECTURE_KEYS[family]})


#: GPUs the driver shows on the machine that plans the jobs (no TensorFlow
#: import at start-up); a cluster profile declares the GPUs of its nodes.
GPUS_HERE = driver_gpus()


def get_gpu_request(wildcards):
    """Snakemake's standard `gpu` resource of a job: 1 for a network under
    `gpu: true` (or `auto` where a GPU is visible), 0 for a forest."""
    if get_model_family(wildcards) == "rf":
        return 0
    return gpu_request(config["gpu"], GPUS_HERE)


def get_gpu_setting(wildcards):
    """The config's `gpu` for a network job; a forest's is fixed, so that
    changing it re-runs the networks alone."""
    return False if get_model_family(wildcards) == "rf" else config["gpu"]


def get_tensorboard_dir(wildcards):
    """Where Keras's TensorBoard callback logs a network, if `tensorboard: true`."""
    return f"results/tensorboard/{wildcards.model}" if config["tensorboard"] else ""


def get_fold_resume_dir(wildcards):
    return f"results/resume/{wildcards.model}-fold{wildcards.fold}"


def get_resume_dir(wildcards):
    """Where a network's per-epoch checkpoints wait for a killed job's retry."""
    return f"results/resume/{wildcards.model}"


def get_network_training_inputs(wildcards):
    """Training features and labels; the test set only in the reference's
    validation mode 'test', so that by default training never reads it."""
    layout = FAMILY_LAYOUT[get_model_family(wildcards)]
    inputs = {
        "features": get_features(layout, "train"),
        "labels": rules.validate_data.output.train_labels,
        "groups": rules.validate_data.output.train_groups,
        "summary": rules.validate_data.output.summary,
    }
    if config["validation"]["mode"] == "test":
        inputs["test_features"] = get_features(layout, "test")
        inputs["test_labels"] = rules.validate_data.output.test_labels
    return inputs


def get_fold_inputs(wildcards):
    """A model's training features, labels and groups: folds never read the test set."""
    return {
        "features": get_features(FAMILY_LAYOUT[get_model_family(wildcards)], "train"),
        "labels": rules.validate_data.output.train_labels,
        "groups": rules.validate_data.output.train_groups,
        "summary": rules.validate_data.output.summary,
    }


def get_fold_validation(wildcards):
    """The networks' inner validation split; forests have none."""
    return (
        {} if get_model_family(wildcards) == "rf" else canonical(config["validation"])
    )


#: Memory (MB) of a training job, which a fold job of the same model shares
#: (the same data, less of it). Measured peak RSS: forests 300 MB at the
#: default size, mostly pages of the memory-mapped features; networks 1.4 GB
#: at the default size, 1.8 GB at the reference size (docs/performance.md).
TRAINING_MEMORY_MB = {"rf": 2000, "cnn": 3000, "lstm": 3000}


def get_training_memory(wildcards):
    return TRAINING_MEMORY_MB[get_model_family(wildcards)]


def get_folds():
    """The fold numbers, 1..K (none when not cross-validating)."""
    return list(range(1, config["cv"]["folds"] + 1)) if uses_cv() else []


def get_fold_files():
    """Every model's fold files, when cross-validating (cv.folds > 1)."""
    return expand(
        rules.cross_validate.output.fold, model=get_model_names(), fold=get_folds()
    )


def uses_cv():
    return config["cv"]["folds"] > 1


def get_fold_table():
    """The fold table when cross-validating, else nothing."""
    return [rules.summarize_folds.output.folds] if uses_cv() else []


def get_evaluation_inputs(wildcards):
    family = get_model_family(wildcards)
    model_rule = rules.train_forest if family == "rf" else rules.train_network
    return {
        "model": model_rule.output.model.format(model=wildcards.model),
        "info": model_rule.output.info.format(model=wildcards.model),
        "features": get_features(FAMILY_LAYOUT[family], "test"),
        "labels": rules.validate_data.output.test_labels,
        "summary": rules.validate_data.output.summary,
    }


# ---- report ----------------------------------------------------------------


def get_figure_outputs():
    """Every figure of the report, by key, as Snakemake report items."""
    return {
        key: report(
            figure.path,
            caption=f"../report/{figure.kind}.rst",
            category=figure.category,
            labels=figure.labels,
        )
        for key, figure in figure_outputs(get_model_names()).items()
    }


def get_histories():
    return expand(
        rules.train_network.output.history, model=network_names(get_model_names())
    )


def get_benchmark_files(wildcards=None):
    """The benchmark file of every job this config runs before the report,
    for its time and memory table (not inputs: Snakemake cannot plan them).
    A params function: audio_dir's chunks are known once list_audio ran."""
    models = get_model_names()
    files = [
        rules.validate_data.benchmark,
        *expand(rules.make_features.benchmark, layout=LAYOUTS, split=SPLITS),
        *expand(rules.train_forest.benchmark, model=get_forest_names()),
        *expand(rules.train_network.benchmark, model=network_names(models)),
        *expand(rules.evaluate_model.benchmark, model=models),
        *expand(rules.cross_validate.benchmark, model=models, fold=get_folds()),
        rules.compare_models.benchmark,
        rules.count_parameters.benchmark,
    ]
    if uses_default_data():
        files.insert(0, rules.generate_default_data.benchmark)
    if get_data_source() == "audio":
        chunks = get_audio_manifest()["chunks"]
        files[:0] = [
            *(
                [rules.generate_example_audio.benchmark]
                if writes_example_audio()
                else []
            ),
            rules.list_audio.benchmark,
            *expand(rules.extract_audio_chunk.benchmark, chunk=chunks),
            rules.gather_audio_features.benchmark,
        ]
    return [str(path) for path in files]


def get_audio_manifest_input(wildcards=None):
    """list_audio's manifest where the data comes from audio_dir: an input of
    the report, whose time table lists the chunk jobs."""
    if get_data_source() != "audio":
        return []
    return checkpoints.list_audio.get().output.manifest


def get_final_output():
    """Everything a default run delivers. The models and their metrics are
    listed too: Snakemake does not re-create a missing intermediate file
    while the files made from it exist, so a model deleted (say, after its
    evaluation found it damaged) would otherwise never be retrained and the
    report would keep describing it."""
    models = get_model_names()
    return [
        rules.validate_data.output.summary,
        *expand(rules.train_forest.output.model, model=get_forest_names()),
        *expand(rules.train_network.output.model, model=network_names(models)),
        *expand(rules.evaluate_model.output.metrics, model=models),
        rules.compare_models.output.comparisons,
        *get_fold_table(),
        rules.summarize_metrics.output.summary,
        rules.count_parameters.output.counts,
        *rules.render_report.output,
    ]


# ---- cluster ---------------------------------------------------------------


def check_profile():
    """Stop on a set-threads or set-resources entry for a rule this workflow
    does not have, on a resource that nothing reads, or on a word given as a
    count (typos: Snakemake would take them, and ignore them or pass the word
    on to sbatch). The Snakefile calls it once every rule is defined; not in
    a job (its planning run checked) nor in a workflow that uses this one as
    a module (whose own rules may follow)."""
    if not (workflow.is_main_process and workflow.modifier.is_main_snakefile()):
        return
    settings = workflow.resource_settings

    def as_written(resources):
        return {name: resource.raw for name, resource in resources.items()}

    try:
        check_profile_entries(
            rules=[rule.name for rule in workflow.rules],
            set_threads=settings.overwrite_threads,
            set_resources={
                name: as_written(resources)
                for name, resources in settings.overwrite_resources.items()
            },
            default_resources=as_written(settings.default_resources or {}),
            limited=settings.resources,
        )
    except AscflowError as error:
        stop(error)


def check_cluster_requests():
    """On Slurm, before the first submission: stop when a planned job asks
    for more than any node of its partition offers (Slurm would keep it
    pending for ever, or refuse it), and warn when only a retry would. A
    request that grows with input sizes is not known yet and is left to
    Slurm, which refuses memory no node has at submission."""
    executor = workflow.executor_plugin
    if executor is None or executor.name != "slurm" or not workflow.is_main_process:
        return
    try:
        listing = subprocess.run(
            SINFO_COMMAND, capture_output=True, text=True, timeout=60, check=True
        )
    except (OSError, subprocess.SubprocessError) as error:
        print(
            f"ascflow: the jobs' requests are not checked against the partitions: {error}",
            file=sys.stderr,
        )
        return
    # The plugin's own partition choice (--slurm-partition-config) places
    # the jobs that name none.
    chooses = getattr(workflow.executor_settings, "partition_config", None) or (
        os.environ.get("SNAKEMAKE_SLURM_PARTITIONS")
    )
    attempts = workflow.execution_settings.retries + 1
    requests = []
    for job in workflow.dag.needrun_jobs():
        placed = job.resources.get("slurm_partition") or not chooses
        if placed and not job.is_local:
            requests += job_requests(job, attempts)
    try:
        warning = check_requests(requests, parse_sinfo(listing.stdout))
    except AscflowError as error:
        stop(error)
    if warning:
        print(f"ascflow: {warning}", file=sys.stderr)


def job_requests(job, attempts):
    """What each attempt of a job asks Slurm for (a profile's memory and time
    may grow with `attempt`); the job is left at its first attempt."""
    first = job.attempt
    try:
        requests = []
        for attempt in range(first, first + attempts):
            job.attempt = attempt  # re-evaluates the job's resources
            resources = dict(job.resources.items())
            requests.append(
                request_from_resources(job.rule.name, job.threads, resources, attempt)
            )
        return requests
    finally:
        job.attempt = first
