"""Config validation, wildcard constraints, and the run's plan mapped to paths.

Every decision (what runs, each model's identity, each job's threads,
priority and resources) is made by ``ascflow.plan``, which is tested without
Snakemake; the functions here read Snakemake's objects, ask the plan, and
map its answers to the rules' paths. They are the only functions the rule
files call.
"""

import contextlib
import functools
import os
import re
import sys
from pathlib import Path

import yaml
from snakemake.exceptions import WorkflowError
from snakemake.utils import Paramspace, validate

from ascflow.cluster import ProfileEntries, check_on_slurm
from ascflow.data.audio_folder import chunk_digests, chunk_paths, layout_files
from ascflow.data.validation import SPLITS, data_digests
from ascflow.errors import AscflowError
from ascflow.features import LAYOUTS
from ascflow.files import DIGEST_CACHE, cached_file_digests, content_digest, read_json
from ascflow.models.counting import COUNTED_NETWORKS
from ascflow.models.stored import check_written
from ascflow.prediction import ARRAY_FILE
from ascflow.plan import (
    AUDIO_DATA_DIR,
    DEFAULT_DATA_DIR,
    EXAMPLE_AUDIO_DIR,
    RULES,
    Machine,
    Plan,
    canonical,
    disk,
    prepare_config,
)
from ascflow.plan.results import (
    RECORDED_CONFIG,
    config_differences,
    regenerates_report,
    results_sentence,
)
from ascflow.report.outputs import figure_outputs
from ascflow.sources import code_digest, import_path


def stop(error):
    """End the run before any job starts, with the one sentence of ``error``
    (as a failing job's script prints it), not a traceback."""
    print(f"ascflow: {error}", file=sys.stderr)
    raise SystemExit(1)


@contextlib.contextmanager
def stopping():
    """Stop the run on a problem the user can fix (stop)."""
    try:
        yield
    except AscflowError as error:
        stop(error)


# source_path: a local copy also where the workflow is read from GitHub.
CONFIG_SCHEMA = Path(workflow.source_path("../schemas/config.schema.yaml"))
SCHEMA = yaml.safe_load(CONFIG_SCHEMA.read_text())
with stopping():
    prepare_config(config, SCHEMA)
# Fills in the schema's defaults; every problem was reported above.
validate(config, schema=CONFIG_SCHEMA)


wildcard_constraints:
    split="|".join(SPLITS),
    layout="|".join(LAYOUTS),
    chunk="[0-9]+",


# Jobs import the package from this workflow's own source, the code whose
# digests Snakemake tracks, before any installed copy: through PYTHONPATH,
# which local jobs, cluster jobs and conda environments inherit. A workflow
# read from GitHub (a snakedeploy module) has no such folder; there the
# installed package serves (docs/deploy.md).
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
if PLAN.scheduling.cores_note:
    print(f"ascflow: {PLAN.scheduling.cores_note}", file=sys.stderr)
with stopping():
    disk.check_inputs(PLAN)
    # distill's teachers are models of this config that it can distill from.
    PLAN.roster.teachers


def check_results_config():
    """One results folder, one config: regenerating the report (--report,
    --forcerun render_report) with another config than the one that made
    results/ stops and names the config to pass; a run with another config
    is told that it replaces them. Not in a job."""
    if not workflow.is_main_process:
        return
    recorded = disk.recorded_config()
    differences = config_differences(recorded, canonical(config)) if recorded else []
    if not differences:
        return
    regenerating = regenerates_report(sys.argv)
    sentence = results_sentence(differences, regenerating)
    if regenerating:
        stop(sentence)
    # A note, not an error: "ascflow:" lines are the sentences that stop a run.
    print(f"ascflow note: {sentence}", file=sys.stderr)


check_results_config()


def check_unread_models():
    """Stop when a model the run delivers but nothing reads (a refitted
    network's validation run) is not the file its training wrote: a re-run
    would otherwise say there is nothing to do. Not in a job, whose planning
    run checked."""
    if not workflow.is_main_process:
        return
    for model, info in PLAN.graph.unread_models():
        model_path, info_path = path_of(model), path_of(info)
        if Path(model_path).is_file() and Path(info_path).is_file():
            with stopping():
                check_written(model_path, read_json(info_path), info_path)


# ---- threads, priorities and resources: the plan's, by rule -------------
# Rules pass their own names, which the plan knows: where this workflow is a
# module of another, its rules may be renamed (`use ... as ascflow_*`).


def threads_of(rule_name):
    return lambda wildcards: PLAN.scheduling.threads(rule_name, dict(wildcards))


def priority_of(rule_name):
    return lambda wildcards: PLAN.scheduling.priority(rule_name, dict(wildcards))


def is_local(rule_name):
    """Whether a cluster run keeps the rule's jobs on the submit host
    (ascflow.plan.needs.RULES, local)."""
    return PLAN.scheduling.is_local(rule_name)


def resources_of(rule_name):
    """Memory, time and the share of the CPUs of the rule's jobs (the numbers
    and their reasons: ascflow.plan.needs.RULES), and a model job's GPU."""
    scheduling = PLAN.scheduling

    def mem_mb(wildcards, input, attempt):
        return scheduling.mem_mb(rule_name, input.size_mb, attempt)

    resources = {
        "mem_mb": mem_mb,
        "runtime": lambda wildcards, attempt: scheduling.runtime(rule_name, attempt),
        "cpu_share": lambda wildcards, threads: scheduling.cpu_share(threads),
    }
    if RULES[rule_name].gpu:
        resources["gpu"] = lambda wildcards: scheduling.gpu_request(wildcards.model)
    return resources


# ---- data ------------------------------------------------------------------


def get_data_digests():
    """The SHA-256 of each file of the user's data folder, a param of
    validate_data: replacing a file re-validates even when its modification
    time is older, and the folder copied or moved re-validates nothing.
    Stops the run at once when a file is missing or unreadable."""
    if PLAN.data.source != "user":
        return {}  # made by generate_default_data or the audio rules, tracked
    with stopping():
        return data_digests(PLAN.data.data_dir, DIGEST_CACHE)


def get_data_files(wildcards=None):
    """The data folder's arrays, group files and classes.txt, by stem; where
    they come from recordings, what the extraction did (for the summary) and
    which recordings the clips are (for its sentences)."""
    files = PLAN.data.data_files(disk.data_folder_names(PLAN))
    if PLAN.data.source == "audio":
        files["audio_facts"] = rules.gather_audio_features.output.facts
        files["audio_manifest"] = rules.list_audio.output.manifest
    return files


def get_clips(wildcards):
    """The clips of one split, for its features."""
    return get_data_files()[f"X_{wildcards.split}"]


# ---- audio -----------------------------------------------------------------


def get_audio_layout_files(wildcards=None):
    """meta.csv and the split (split.csv or the two fold lists) of audio_dir,
    inputs of list_audio; the example's are generate_example_audio's outputs."""
    if PLAN.data.writes_example_audio:
        return dict(rules.generate_example_audio.output.items())
    with stopping():
        files = layout_files(config["audio_dir"])
    return {"meta": str(files["meta"][0]), "split": [str(p) for p in files["split"]]}


def listed(checkpoint):
    """What a listing checkpoint found, once it has run (read once)."""
    path = checkpoint.get().output.manifest
    return _read_manifest(path, Path(path).stat().st_mtime_ns)


@functools.cache
def _read_manifest(path, mtime_ns):
    return read_json(path)


def get_audio_chunk_files(wildcards):
    """The recordings of one chunk, in file order."""
    return chunk_paths(listed(checkpoints.list_audio), wildcards.chunk)


def get_audio_chunk_digests(wildcards):
    """The SHA-256 of each recording of a chunk: one replaced, even with an
    older modification time, extracts its chunk again, and that chunk alone."""
    return chunk_digests(listed(checkpoints.list_audio), wildcards.chunk, DIGEST_CACHE)


def get_audio_chunks(wildcards=None):
    """Every chunk's features, in chunk order, for the gather."""
    chunks = listed(checkpoints.list_audio)["chunks"]
    return expand(rules.extract_audio_chunk.output.chunk, chunk=chunks)


# ---- models ----------------------------------------------------------------


def get_time_major(wildcards):
    return PLAN.identity.time_major(wildcards.layout)


def per_model(decision):
    """A params function of a model's job: the plan's ``decision`` for its
    model (or training run)."""
    return lambda wildcards: decision(wildcards.model)


def path_of(made):
    """The path of another rule's output (an ascflow.plan.Output); a path as it is."""
    if isinstance(made, list):
        return [path_of(each) for each in made]
    if isinstance(made, str):
        return made
    rule_output = getattr(getattr(rules, made.rule).output, made.name)
    return expand(rule_output, **dict(made.wildcards))[0]


def inputs_of(rule_name):
    """An input function of a model's job: what the plan says it reads."""

    def inputs(wildcards):
        made = PLAN.graph.inputs(rule_name, wildcards.model).items()
        return {key: path_of(value) for key, value in made}

    return inputs


def get_teacher_inputs(wildcards):
    """What the teachers' probabilities read (config distill): each
    teacher's model, facts and training features."""
    return {key: path_of(value) for key, value in PLAN.graph.teacher_inputs().items()}


def get_fold_table():
    return [rules.summarize_folds.output.folds] if PLAN.roster.uses_cv else []


def fold_curve_params():
    """cross_validate's ``curves`` param where a refit's epochs may be chosen
    on the folds (cv.choose_epochs_on); none otherwise, so that the folds of
    a run that chooses on its held-out part keep their params."""
    if config["cv"]["choose_epochs_on"] == "holdout":
        return {}
    return {"curves": per_model(PLAN.roster.chooses_epochs)}


# ---- learning curves (data_fractions) ----------------------------------------


def get_subset_inputs(wildcards):
    """What one model's job on one subset reads (the plan's)."""
    made = PLAN.graph.subset_inputs(wildcards.model, wildcards.fraction).items()
    return {key: path_of(value) for key, value in made}


def get_learning_curve_inputs(wildcards=None):
    made = PLAN.graph.learning_curve_inputs().items()
    return {key: path_of(value) for key, value in made}


def get_learning_curve_files(wildcards=None):
    """The learning curve's table and figure, for the report; none when off."""
    if not PLAN.roster.fractions:
        return []
    return list(rules.summarize_learning_curve.output)


# ---- prediction ------------------------------------------------------------


def unknown_model(folder, suffix=""):
    """A path in ``folder`` whose model name, before ``suffix``, this config
    does not hold: the outputs of rule refuse_unknown_model, which answers
    such a target in one sentence."""
    known = named(set(PLAN.roster.training_runs) | set(PLAN.roster.models))
    unknown = f"(?!(?:{known}){re.escape(suffix)}$)[^/]+"
    return f"{folder}/{{unknown,{unknown}}}{suffix}"


def named(names):
    """A wildcard constraint that matches exactly ``names``: a target naming
    a model this config does not hold (rf_20, rf_abc) has no rule to make it,
    instead of training a forest the config never asked for."""
    return "|".join(re.escape(name) for name in names) or "(?!)"


def get_predict_chunk_files(wildcards):
    return chunk_paths(listed(checkpoints.list_predict_recordings), wildcards.chunk)


def get_predict_chunk_digests(wildcards):
    """A new recording replaced, even with an older mtime, re-extracts its chunk."""
    listing = listed(checkpoints.list_predict_recordings)
    return chunk_digests(listing, wildcards.chunk, DIGEST_CACHE)


def get_extraction_bundle(wildcards=None):
    """The bundle whose extraction settings extract the new recordings:
    every bundle of a run records the same (they come from one data
    summary), and each prediction job checks the chunks against its own."""
    return rules.export_model.output.bundle.format(model=PLAN.roster.models[0])


def get_export_features(wildcards):
    """A network's training features, whose clips calibrate its int8 LiteRT
    model when it is exported; nothing for a forest."""
    from ascflow.plan.roster import family

    if family(wildcards.model) == "rf":
        return []
    return path_of(PLAN.graph.features(wildcards.model, "train"))


def get_predict_runtime(wildcards):
    """Which of a bundle's models predicts: the config's predict_runtime for
    a network, keras (its own file) for a forest, whose jobs it never re-runs."""
    from ascflow.plan.roster import family

    return "keras" if family(wildcards.model) == "rf" else config["predict_runtime"]


def get_prediction_inputs(wildcards):
    chunks = chunks_of(
        checkpoints.list_predict_recordings, PLAN.prediction.reads_recordings
    )
    labelled = disk.predict_dir_labelled(PLAN)
    made = PLAN.prediction.inputs(wildcards.model, chunks or [], labelled).items()
    return {key: path_of(value) for key, value in made}


def get_prediction_clips_digest(wildcards):
    """predict_dir's X.npy by content (recordings' chunks track theirs)."""
    if PLAN.prediction.reads_recordings:
        return {}
    clips = Path(config["predict_dir"], ARRAY_FILE)
    return {clips.name: cached_file_digests([clips], DIGEST_CACHE)[str(clips)]}


def get_predict_targets(wildcards):
    """The predict target: every model's table and facts, and the report."""
    with stopping():
        return path_of(PLAN.prediction.targets()) + list(rules.render_report.output)


def listing(checkpoint, used):
    """A listing checkpoint's manifest where the run ``used`` it: an input
    of the report, whose time table lists the chunk jobs."""
    return checkpoint.get().output.manifest if used else []


def chunks_of(checkpoint, used):
    """The chunks a listing checkpoint cut its recordings into, if ``used``."""
    return listed(checkpoint)["chunks"] if used else None


# ---- report ----------------------------------------------------------------


#: The history of runs: outside results/, so that clearing results keeps it.
HISTORY_LEDGER = "history/runs.tsv"


def report_figures():
    return figure_outputs(
        PLAN.roster.models,
        training_runs=PLAN.roster.training_runs,
        swept_models=PLAN.roster.swept_models,
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


def get_benchmark_files(wildcards=None):
    """The benchmark file of every job this config runs before the report,
    for its time and memory table (not inputs: Snakemake cannot plan them).
    A params function: audio_dir's chunks are known once list_audio ran."""
    chunks = chunks_of(checkpoints.list_audio, PLAN.data.source == "audio")
    new = chunks_of(
        checkpoints.list_predict_recordings, PLAN.prediction.reads_recordings
    )
    return [
        expand(getattr(rules, job.rule).benchmark, **job.wildcards)[0]
        for job in PLAN.graph.jobs(chunks, new)
        if job.rule not in ("render_report", "record_run", "track_run")
    ]


def get_final_output():
    """Everything a run delivers: the plan's targets and the report."""
    return path_of(PLAN.graph.targets()) + list(rules.render_report.output)


# ---- cluster ---------------------------------------------------------------


def check_profile():
    """Stop on a set-threads or set-resources entry for a rule this workflow
    does not have, on a resource that nothing reads, or on a word given as a
    count (typos: Snakemake would take them, and ignore them or pass the word
    on to sbatch). Not in a job (its planning run checked) nor in a workflow
    that uses this one as a module (whose own rules may follow)."""
    if not (workflow.is_main_process and workflow.modifier.is_main_snakefile()):
        return
    with stopping():
        entries = ProfileEntries.from_settings(workflow.resource_settings)
        entries.check([rule.name for rule in workflow.rules])


def check_cluster_requests():
    """On Slurm, before the first submission: stop when a job of this run, or
    a submission of a group of its jobs (as Snakemake sizes it from the
    profile's groups, group-components and --cores), asks for more than any
    node of its partition offers (Slurm would keep it pending for ever, or
    refuse it), and warn when only a retry would. Then watch the run's
    queued jobs: one that Slurm holds for a reason that cannot clear ends
    the run with one sentence (ascflow.cluster.watch)."""
    from ascflow.cluster import Grouping, HeldJobWatch

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
    entries = ProfileEntries.from_settings(workflow.resource_settings)
    # Rule.group: the Snakefile's group or the profile's groups entry.
    rule_groups = {rule.name: rule.group for rule in workflow.rules}
    grouping = Grouping.from_workflow(
        rule_groups, workflow.group_settings, workflow.resource_settings
    )
    with stopping():
        requests = PLAN.cluster_requests(entries, attempts, chooses)
        note = check_on_slurm(requests, grouping)
    if note:
        print(f"ascflow: {note}", file=sys.stderr)
    names = {"rules": rule_groups, "groups": set(grouping.groups.values())}
    HeldJobWatch(workflow.workdir_init, names).start()
