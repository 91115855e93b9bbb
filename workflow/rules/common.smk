"""Config validation, wildcard constraints, and the run's plan mapped to paths.

Every decision (what runs, each model's identity, each job's threads,
priority and resources) is made by ``ascflow.plan``, which is tested without
Snakemake; the functions here read Snakemake's objects, ask the plan, and
map its answers to the rules' paths. They are the only functions the rule
files call.
"""

import functools
import os
import sys
from pathlib import Path

import yaml
from snakemake.exceptions import WorkflowError
from snakemake.utils import Paramspace, validate

from ascflow.cluster import ProfileEntries, check_on_slurm, check_profile_entries
from ascflow.configuration import check_config, coerce_to_schema
from ascflow.data.audio import audio_settings
from ascflow.data.audio_folder import (
    chunk_paths,
    layout_files,
    recording_digests,
    recordings_on_disk,
)
from ascflow.data.validation import SPLITS, data_digests, data_paths, group_paths
from ascflow.errors import AscflowError
from ascflow.features import LAYOUTS
from ascflow.files import DIGEST_CACHE, cached_file_digests, content_digest, read_json
from ascflow.models.counting import COUNTED_NETWORKS
from ascflow.models.naming import FOREST_PATTERN, NETWORK_PATTERN
from ascflow.models.sweep import check_sweep, typed_sweep
from ascflow.prediction import (
    ARRAY_FILE,
    META_FILE,
    check_array_input,
    recording_inputs,
)
from ascflow.plan import (
    AUDIO_DATA_DIR,
    DEFAULT_DATA_DIR,
    EXAMPLE_AUDIO_DIR,
    RULES,
    Machine,
    Plan,
    canonical,
)
from ascflow.report.outputs import figure_outputs
from ascflow.sources import code_digest, import_path


def stop(error):
    """End the run before any job starts, with the one sentence of ``error``
    (as a failing job's script prints it), not a traceback."""
    print(f"ascflow: {error}", file=sys.stderr)
    raise SystemExit(1)


# source_path: a local copy also where the workflow is read from GitHub.
CONFIG_SCHEMA = Path(workflow.source_path("../schemas/config.schema.yaml"))
SCHEMA = yaml.safe_load(CONFIG_SCHEMA.read_text())
try:
    # Nested overrides (--config 'cnn={epochs: 2}') arrive as text.
    coerce_to_schema(config, SCHEMA)
    check_config(config, SCHEMA)
except AscflowError as error:
    stop(error)
# Fills in the schema's defaults; every problem was reported above.
validate(config, schema=CONFIG_SCHEMA)
try:
    config["sweep"] = typed_sweep(config["sweep"], SCHEMA)
    check_sweep(config["sweep"], SCHEMA, config["validation"]["mode"])
except AscflowError as error:
    stop(error)


wildcard_constraints:
    split="|".join(SPLITS),
    layout="|".join(LAYOUTS),
    chunk="[0-9]+",


# Jobs import the package from this workflow's own source, the code whose
# digests Snakemake tracks, before any installed copy: through PYTHONPATH,
# which local jobs, cluster jobs and conda environments inherit. A workflow
# read from GitHub (a snakedeploy module) has no such folder; there the
# installed package serves (README, "Use it as a module").
if workflow.current_basedir.is_local:
    os.environ.update(PYTHONPATH=import_path())


def scheduled_cores():
    """--cores; None where none is given (a cluster run, --lint)."""
    try:
        return workflow.cores
    except WorkflowError:
        return None


def paramspace_labels(frame):
    """A sweep's variant names (a row of values each): Snakemake's Paramspace
    file-name pattern, learning_rate-0.004_batch_size-32."""
    return list(Paramspace(frame, filename_params="*", param_sep="-").instance_patterns)


#: A cluster run (--jobs) and a job that a cluster node runs schedule no
#: local cores: their jobs have CPUs of their own.
PLAN = Plan(
    config,
    Machine.here(
        scheduled_cores(), local=workflow.is_main_process and not workflow.nodes
    ),
    variant_labels=paramspace_labels,
)
if PLAN.cores_note:
    print(f"ascflow: {PLAN.cores_note}", file=sys.stderr)


# ---- threads, priorities and resources: the plan's, by rule -------------
# Rules pass their own names, which the plan knows: where this workflow is a
# module of another, its rules may be renamed (`use ... as ascflow_*`).


def threads_of(rule_name):
    return lambda wildcards: PLAN.threads(rule_name, dict(wildcards))


def priority_of(rule_name):
    return lambda wildcards: PLAN.priority(rule_name, dict(wildcards))


def resources_of(rule_name):
    """Memory, time and the share of the CPUs of the rule's jobs (the numbers
    and their reasons: ascflow.plan.RULES), and a model job's GPU."""

    def mem_mb(wildcards, input, attempt):
        return PLAN.mem_mb(rule_name, input.size_mb, attempt)

    resources = {
        "mem_mb": mem_mb,
        "runtime": lambda wildcards, attempt: PLAN.runtime(rule_name, attempt),
        "cpu_share": lambda wildcards, threads: PLAN.cpu_share(threads),
    }
    if RULES[rule_name].gpu:
        resources["gpu"] = lambda wildcards: PLAN.gpu_request(wildcards.model)
    return resources


# ---- data ------------------------------------------------------------------


def get_data_digests():
    """The SHA-256 of each file of the user's data folder, a param of
    validate_data: replacing a file re-validates even when its modification
    time is older, and the folder copied or moved re-validates nothing.
    Stops the run at once when a file is missing or unreadable."""
    if PLAN.source != "user":
        return {}  # made by generate_default_data or the audio rules, tracked
    try:
        return data_digests(PLAN.data_dir, DIGEST_CACHE)
    except AscflowError as error:
        stop(error)


def get_data_files(wildcards=None):
    """The four .npy inputs by stem (X_train, ...), the group files if any
    (groups_train, groups_test) and classes.txt if any."""
    folder = PLAN.data_dir
    files = {stem: str(path) for stem, path in data_paths(folder).items()}
    if PLAN.data_made_with_groups:
        files.update(
            {f"groups_{split}": f"{folder}/groups_{split}.npy" for split in SPLITS}
        )
    else:
        files.update({stem: str(path) for stem, path in group_paths(folder).items()})
    if PLAN.data_made_with_groups or Path(folder, "classes.txt").is_file():
        files["classes"] = f"{folder}/classes.txt"
    if PLAN.source == "audio":  # what the extraction did, for the summary,
        files["audio_facts"] = rules.gather_audio_features.output.facts
        # and which recordings the clips are, for its sentences
        files["audio_manifest"] = rules.list_audio.output.manifest
    return files


def get_clips(wildcards):
    """The clips of one split, for its features."""
    return get_data_files()[f"X_{wildcards.split}"]


# ---- audio -----------------------------------------------------------------


try:
    PLAN.check_sources()
    if PLAN.source == "audio" and not PLAN.writes_example_audio:
        layout_files(config["audio_dir"])
except AscflowError as error:
    stop(error)


def get_audio_layout_files(wildcards=None):
    """meta.csv and the split (split.csv or the two fold lists) of audio_dir,
    inputs of list_audio; the example's are generate_example_audio's outputs."""
    if PLAN.writes_example_audio:
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
    if PLAN.writes_example_audio:
        return content_digest(PLAN.example_audio_settings)
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


def get_features(layout, split):
    return expand(rules.make_features.output.features, layout=layout, split=split)[0]


def get_time_major(wildcards):
    return PLAN.time_major(wildcards.layout)


def per_model(decision):
    """A params function of a model's job: the plan's ``decision`` for its
    model (or training run)."""
    return lambda wildcards: decision(wildcards.model)


def get_tensorboard_dir(wildcards):
    """Where Keras's TensorBoard callback logs a network, if `tensorboard: true`."""
    return f"results/tensorboard/{wildcards.model}" if config["tensorboard"] else ""


def get_forest_inputs(wildcards):
    """The flattened training clips and labels; the groups too where the
    forest scores its variant on a held-out part."""
    inputs = {
        "features": get_features("flat", "train"),
        "labels": rules.validate_data.output.train_labels,
        "summary": rules.validate_data.output.summary,
    }
    if PLAN.forest_validates(wildcards.model):
        inputs["groups"] = rules.validate_data.output.train_groups
    return inputs


def get_training_inputs(wildcards):
    """A model's training features, labels, groups and the data summary; a
    network's test set too in the reference's validation mode 'test' (else
    training never reads it)."""
    layout = PLAN.layout(wildcards.model)
    inputs = {
        "features": get_features(layout, "train"),
        "labels": rules.validate_data.output.train_labels,
        "groups": rules.validate_data.output.train_groups,
        "summary": rules.validate_data.output.summary,
    }
    if PLAN.reads_test_set(wildcards.model):
        inputs["test_features"] = get_features(layout, "test")
        inputs["test_labels"] = rules.validate_data.output.test_labels
    return inputs


def get_fold_inputs(wildcards):
    """A model's training features, labels and groups: folds never read the test set."""
    return {
        "features": get_features(PLAN.layout(wildcards.model), "train"),
        "labels": rules.validate_data.output.train_labels,
        "groups": rules.validate_data.output.train_groups,
        "summary": rules.validate_data.output.summary,
    }


def training_rule(run):
    return rules.train_forest if PLAN.family(run) == "rf" else rules.train_network


def get_selection_inputs(wildcards):
    """What ranks a model's variants: each run's training facts (its
    held-out accuracy) and, when cross-validating, its folds. Never the test set."""
    runs = PLAN.runs(wildcards.model)
    return {
        "infos": [training_rule(run).output.info.format(model=run) for run in runs],
        "folds": expand(rules.cross_validate.output.fold, model=runs, fold=PLAN.folds),
    }


def get_refit_inputs(wildcards):
    """The whole training set, and what validation chose: the model's choice
    among its variants, or its one run's training facts (its epochs)."""
    model = wildcards.model
    if PLAN.is_swept(model):
        chosen = rules.select_variant.output.selection.format(model=model)
    else:
        chosen = rules.train_network.output.info.format(model=model)
    return {
        "features": get_features(PLAN.layout(model), "train"),
        "labels": rules.validate_data.output.train_labels,
        "summary": rules.validate_data.output.summary,
        "chosen": chosen,
    }


def get_trained_model(wildcards):
    """The model its evaluation scores (and its bundle holds): the refit
    one, or each training run's with the choice among them."""
    model = wildcards.model
    trained, runs = training_rule(model), PLAN.runs(model)
    if PLAN.refits(model):
        trained, runs = rules.refit_network, [model]
    inputs = {
        "model": expand(trained.output.model, model=runs),
        "info": expand(trained.output.info, model=runs),
        "summary": rules.validate_data.output.summary,
    }
    if PLAN.is_swept(model):
        inputs["selection"] = rules.select_variant.output.selection.format(model=model)
    return inputs


def get_evaluation_inputs(wildcards):
    return {
        **get_trained_model(wildcards),
        "features": get_features(PLAN.layout(wildcards.model), "test"),
        "labels": rules.validate_data.output.test_labels,
    }


def get_fold_files():
    """Every training run's fold files, when cross-validating (cv.folds > 1)."""
    return expand(
        rules.cross_validate.output.fold, model=PLAN.training_runs, fold=PLAN.folds
    )


def get_fold_table():
    """The fold table when cross-validating, else nothing."""
    return [rules.summarize_folds.output.folds] if PLAN.uses_cv else []


# ---- prediction ------------------------------------------------------------

#: Any model's name, for the rules that take every family.
MODEL_PATTERN = f"{FOREST_PATTERN}|{NETWORK_PATTERN}"

try:
    if PLAN.predicts_recordings:
        recording_inputs(config["predict_dir"])
    elif PLAN.uses_prediction:
        # Against the bundles exported already: a wrong shape stops the run
        # before any job, so that no table of the models is removed.
        check_array_input(
            config["predict_dir"], expand("results/export/{model}", model=PLAN.models)
        )
except AscflowError as error:
    stop(error)


def get_predict_listing():
    """The recordings below predict_dir, a param of list_predict_recordings:
    adding or removing one lists the folder again."""
    if not PLAN.predicts_recordings:
        return ""
    return content_digest(recording_inputs(config["predict_dir"]))


def get_predict_manifest():
    path = checkpoints.list_predict_recordings.get().output.manifest
    return _read_manifest(path, Path(path).stat().st_mtime_ns)


def get_predict_chunk_files(wildcards):
    """The new recordings of one chunk, in listing order."""
    return [
        str(Path(config["predict_dir"], entry["file"]))
        for entry in get_predict_manifest()["files"]
        if entry["chunk"] == wildcards.chunk
    ]


def folder_digests(folder, paths):
    """The SHA-256 of each file, by its name relative to ``folder``."""
    digests = cached_file_digests(paths, DIGEST_CACHE)
    return {
        str(Path(path).relative_to(folder)): digest for path, digest in digests.items()
    }


def get_predict_chunk_digests(wildcards):
    """A new recording replaced, even with an older mtime, re-extracts its chunk."""
    return folder_digests(config["predict_dir"], get_predict_chunk_files(wildcards))


def get_extraction_bundle(wildcards=None):
    """The bundle whose extraction settings extract the new recordings:
    every bundle of a run records the same (they come from one data
    summary), and each prediction job checks the chunks against its own."""
    return rules.export_model.output.bundle.format(model=PLAN.models[0])


def get_prediction_inputs(wildcards):
    """A model's bundle and what it classifies: the listing and its chunks,
    or predict_dir's X.npy; and meta.csv where predict_dir has one."""
    inputs = {"bundle": rules.export_model.output.bundle.format(model=wildcards.model)}
    if PLAN.predicts_recordings:
        inputs["manifest"] = checkpoints.list_predict_recordings.get().output.manifest
        inputs["chunks"] = expand(
            rules.extract_predict_chunk.output.chunk,
            chunk=get_predict_manifest()["chunks"],
        )
    else:
        inputs["clips"] = str(Path(config["predict_dir"], ARRAY_FILE))
    meta = Path(config["predict_dir"], META_FILE)
    if meta.is_file():
        inputs["meta"] = str(meta)
    return inputs


def get_prediction_clips_digest(wildcards):
    """The SHA-256 of predict_dir's X.npy (nothing for recordings, whose
    chunks track them): replaced, even with an older mtime, it is classified again."""
    if PLAN.predicts_recordings:
        return {}
    return folder_digests(
        config["predict_dir"], [Path(config["predict_dir"], ARRAY_FILE)]
    )


def get_prediction_files(kind):
    """Every model's prediction ``table`` or ``facts`` when predict_dir is set."""
    if not PLAN.uses_prediction:
        return []
    return expand(getattr(rules.predict_model.output, kind), model=PLAN.models)


def get_predict_listing_input(wildcards=None):
    """The listing of new recordings, an input of the report, whose time
    table lists the extraction jobs."""
    if not PLAN.predicts_recordings:
        return []
    return checkpoints.list_predict_recordings.get().output.manifest


def get_predict_targets(wildcards):
    """The predict target: every model's table and facts, and the report."""
    if not PLAN.uses_prediction:
        stop(
            "config key predict_dir: is empty; name the folder to classify "
            "(snakemake --cores 8 predict --config predict_dir=PATH)."
        )
    return [
        *get_prediction_files("table"),
        *get_prediction_files("facts"),
        *rules.render_report.output,
    ]


# ---- report ----------------------------------------------------------------


#: The history of runs: outside results/, so that clearing results keeps it.
HISTORY_LEDGER = "history/runs.tsv"


def report_figures():
    return figure_outputs(
        PLAN.models,
        training_runs=PLAN.training_runs,
        swept_models=PLAN.swept_models,
        history=True,
    )


def get_figure_outputs():
    """Every figure of the report, by key, as Snakemake report items: each
    variant's labelled with its model and values."""
    return {
        key: report(
            figure.path,
            caption=f"../report/{figure.kind}.rst",
            category=figure.category,
            labels=figure.labels,
        )
        for key, figure in report_figures().items()
    }


def get_figure_files():
    return [figure.path for figure in report_figures().values()]


def get_selection_files():
    """Each swept model's choice among its variants."""
    return expand(rules.select_variant.output.selection, model=PLAN.swept_models)


def get_histories():
    """Every network training run's epochs (the validation runs)."""
    return expand(rules.train_network.output.history, model=PLAN.network_runs)


def get_refit_histories():
    return expand(rules.refit_network.output.history, model=PLAN.refit_models)


def get_benchmark_files(wildcards=None):
    """The benchmark file of every job this config runs before the report,
    for its time and memory table (not inputs: Snakemake cannot plan them).
    A params function: audio_dir's chunks are known once list_audio ran."""
    chunks = get_audio_manifest()["chunks"] if PLAN.source == "audio" else None
    new = get_predict_manifest()["chunks"] if PLAN.predicts_recordings else None
    return [
        expand(getattr(rules, job.rule).benchmark, **job.wildcards)[0]
        for job in PLAN.jobs(chunks, new)
        if job.rule not in ("render_report", "track_run")
    ]


def get_audio_manifest_input(wildcards=None):
    """list_audio's manifest where the data comes from audio_dir: an input of
    the report, whose time table lists the chunk jobs."""
    if PLAN.source != "audio":
        return []
    return checkpoints.list_audio.get().output.manifest


def get_final_output():
    """Everything a default run delivers. The models and their metrics are
    listed too: Snakemake does not re-create a missing intermediate file
    while the files made from it exist, so a model deleted (say, after its
    evaluation found it damaged) would otherwise never be retrained and the
    report would keep describing it."""
    return [
        rules.validate_data.output.summary,
        *expand(rules.train_forest.output.model, model=PLAN.forest_runs),
        *expand(rules.train_network.output.model, model=PLAN.network_runs),
        *get_refit_histories(),
        *get_selection_files(),
        *expand(rules.evaluate_model.output.metrics, model=PLAN.models),
        rules.compare_models.output.comparisons,
        *get_fold_table(),
        rules.summarize_metrics.output.summary,
        rules.count_parameters.output.counts,
        *get_prediction_files("table"),
        *rules.render_report.output,
        *([rules.track_run.output.tracked] if PLAN.tracks_runs else []),
    ]


# ---- cluster ---------------------------------------------------------------


def profile_entries():
    """The threads and resources the profile and command line set, as written."""
    settings = workflow.resource_settings

    def as_written(resources):
        return {name: resource.raw for name, resource in resources.items()}

    return ProfileEntries(
        set_threads={
            name: getattr(threads, "raw", threads)
            for name, threads in settings.overwrite_threads.items()
        },
        set_resources={
            name: as_written(resources)
            for name, resources in settings.overwrite_resources.items()
        },
        default_resources=as_written(settings.default_resources or {}),
        max_threads=settings.max_threads,
    )


def check_profile():
    """Stop on a set-threads or set-resources entry for a rule this workflow
    does not have, on a resource that nothing reads, or on a word given as a
    count (typos: Snakemake would take them, and ignore them or pass the word
    on to sbatch). The Snakefile calls it once every rule is defined; not in
    a job (its planning run checked) nor in a workflow that uses this one as
    a module (whose own rules may follow)."""
    if not (workflow.is_main_process and workflow.modifier.is_main_snakefile()):
        return
    entries = profile_entries()
    try:
        check_profile_entries(
            rules=[rule.name for rule in workflow.rules],
            set_threads=entries.set_threads,
            set_resources=entries.set_resources,
            default_resources=entries.default_resources,
            limited=workflow.resource_settings.resources,
        )
    except AscflowError as error:
        stop(error)


def check_cluster_requests():
    """On Slurm, before the first submission: stop when a job of this run
    asks for more than any node of its partition offers (Slurm would keep it
    pending for ever, or refuse it), and warn when only a retry would."""
    executor = workflow.executor_plugin
    if executor is None or executor.name != "slurm" or not workflow.is_main_process:
        return
    # The plugin's own partition choice (--slurm-partition-config) places
    # the jobs that name none.
    chooses = bool(
        getattr(workflow.executor_settings, "partition_config", None)
        or os.environ.get("SNAKEMAKE_SLURM_PARTITIONS")
    )
    attempts = workflow.execution_settings.retries + 1
    try:
        note = check_on_slurm(
            PLAN.cluster_requests(profile_entries(), attempts, chooses)
        )
    except AscflowError as error:
        stop(error)
    if note:
        print(f"ascflow: {note}", file=sys.stderr)
