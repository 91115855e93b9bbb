"""Reading what the workflow produced, for the figures and the report.

Each reader takes paths and returns plain data (dicts and lists) in the
shape the workflow wrote it, so the figures and the document never touch
files themselves.
"""

from __future__ import annotations

import math
import platform
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import numpy as np

from ascflow.errors import AscflowError
from ascflow.evaluation import wilson_interval
from ascflow.files import read_json, read_table
from ascflow.models.counting import complexity
from ascflow.models.history import read_history
from ascflow.models.settings import ARCHITECTURE_KEYS
from ascflow.models.splits import holdout_split
from ascflow.report.history import paired_with_previous, run_history

HISTORY_SUFFIX = ".history.csv"

#: Distributions whose versions the report states. A tuple lists alternative
#: names of one package: the first one installed is reported.
PROVENANCE_PACKAGES = (
    "ascflow",
    "snakemake",
    "numpy",
    "pandas",
    "scikit-learn",
    ("tensorflow", "tensorflow-cpu"),
    "keras",
    "matplotlib",
    "fpdf2",
)


@dataclass
class Results:
    """Everything the report states, read once."""

    data: dict
    runs: list[dict]
    aggregate: list[dict]
    histories: dict[str, list[dict]]
    parameters: dict
    benchmarks: list[dict]
    config: dict
    comparisons: dict = field(default_factory=dict)
    folds: list[dict] = field(default_factory=list)  # one row per model and fold, when cross-validating
    provenance: dict = field(default_factory=dict)
    sweeps: list[dict] = field(default_factory=list)  # each swept model's choice among its variants
    #: This run and the earlier ones on the same data (history/runs.tsv); None: not compared.
    history: dict | None = None
    #: One row per model run: its size and cost against the complexity limits.
    complexity: list[dict] = field(default_factory=list)
    #: Per model run, what it made of predict_dir's files (none without predict_dir).
    predictions: list[dict] = field(default_factory=list)
    #: Per model validated, the clips of its validation accuracy and its
    #: Wilson interval (see :func:`validation_facts`).
    validation: dict[str, dict] = field(default_factory=dict)
    #: One row per model and training-set fraction (data_fractions), and its figure.
    learning_curve: list[dict] = field(default_factory=list)
    learning_curve_figure: str | None = None
    #: Per refitted network whose epochs rule choose_epochs chose: how, and how firmly.
    epoch_choices: list[dict] = field(default_factory=list)
    #: Per network, what its bundle deploys, measured (results/deployed/):
    #: each runtime's scores and the budget of its int8 model.
    deployed: list[dict] = field(default_factory=list)


def read_runs(metrics_paths: list[str | Path], summary_path: str | Path | None = None) -> list[dict]:
    """The metrics of every model run, in the order given.

    With ``summary_path``, checks that ``summary.tsv`` lists the same runs
    with the same accuracies: the two are written by different rules, and a
    report mixing their versions would contradict itself.
    """
    runs = [read_json(path) for path in metrics_paths]
    if summary_path is not None:
        rows = {row["model"]: row for row in read_table(summary_path)}
        for run in runs:
            row = rows.pop(run["model"], None)
            if row is None or not math.isclose(row["accuracy"], run["accuracy"], abs_tol=1e-9):
                raise AscflowError(
                    f"{summary_path}: its row for {run['model']} does not match "
                    f"results/metrics/{run['model']}.json; re-run the evaluation."
                )
        if rows:
            raise AscflowError(f"{summary_path}: lists {', '.join(rows)}, which this run did not train.")
    return runs


def history_model(path: str | Path) -> str:
    """The model a history file belongs to: ``results/models/cnn.history.csv`` -> ``cnn``."""
    return Path(path).name.removesuffix(HISTORY_SUFFIX)


def read_histories(paths: list[str | Path]) -> dict[str, list[dict]]:
    """Per network run, its per-epoch rows in epoch order."""
    return {history_model(path): list(read_history(path).values()) for path in paths}


#: What the report reads of results/params/params.json, per network.
PARAMETER_KEYS = ("description", "input_shape", "layers", "total_closed_form")


def read_parameter_tables(path: str | Path) -> dict:
    """``results/params/params.json`` as the count stage wrote it, checked
    for what the report reads, so that a file of another version fails in
    one sentence rather than deep inside the document."""
    counts = read_json(path)
    missing = [key for key in ("networks", "image_cnn_conv1_multiplications") if key not in counts]
    for name, network in counts.get("networks", {}).items():
        missing += [f"networks.{name}.{key}" for key in PARAMETER_KEYS if key not in network]
    if missing:
        raise AscflowError(
            f"{path}: not the parameter counts the report expects (missing {', '.join(missing)})."
        )
    return counts


def with_keras_counts(parameters: dict, runs: list[dict]) -> dict:
    """params.json with Keras's count of each layer (``params_keras``), its
    total (``total_keras``) and the model it comes from (``keras_model``),
    for each network a run of this report trained: its training job built
    the model, checked it against the same closed form and recorded Keras's
    per-layer counts (``layer_params``). A network no run trains (the
    reference's image networks) keeps ``None`` there; the test suite checks
    Keras's counts of those (tests/unit/models/test_keras_check.py)."""
    trained = {}
    for run in runs:
        # A sweep of the architecture (lstm units) trains another network than params.json counts.
        reshaped = set(run.get("swept", [])) & set(ARCHITECTURE_KEYS.get(run["family"], ()))
        if run.get("layer_params") and run["family"] not in trained and not reshaped:
            trained[run["family"]] = run
    networks = {}
    for name, network in parameters["networks"].items():
        run = trained.get(name)
        keras = run["layer_params"] if run else {}
        layers = [{**layer, "params_keras": keras.get(layer["layer"])} for layer in network["layers"]]
        if run and any(layer["params_keras"] != layer["params_closed_form"] for layer in layers):
            raise AscflowError(
                f"{name}: Keras's per-layer counts of the trained model {run['model']} ({keras}) are "
                "not those of results/params/params.json: the two come from different architectures."
            )
        networks[name] = {
            **network,
            "layers": layers,
            "total_keras": sum(keras.values()) if run else None,
            "keras_model": run["model"] if run else None,
        }
    return {**parameters, "networks": networks}


def model_complexity(parameters: dict, runs: list[dict]) -> list[dict]:
    """Each run's complexity against the limits params.json records (none
    where it records none): a network's from its closed-form counts, which
    must be the parameters Keras counted in the trained model; a forest's
    from its tree nodes, one stored value each (a split's threshold or a
    leaf's class), and no multiplications (a prediction walks each tree)."""
    budget = parameters.get("complexity")
    if not budget:
        return []
    rows = []
    for run in runs:
        network = budget["networks"].get(run["family"])
        if network is None:
            figures = complexity(run["tree_nodes"], 0, budget["clip_seconds"], budget["limits"])
        elif network["parameters"] != run.get("n_params"):
            raise AscflowError(
                f"{run['model']}: Keras counted {run.get('n_params')} parameters in the trained model but "
                f"results/params/params.json has {network['parameters']} by the closed form."
            )
        else:
            figures = network
        rows.append({"model": run["model"], "family": run["family"], **figures})
    return rows


def read_benchmarks(paths: list[str | Path]) -> list[dict]:
    """Wall time and peak memory per job, from Snakemake's benchmark files
    (``benchmarks/<rule>.tsv`` or ``benchmarks/<rule>/<job>.tsv``); a file
    with several rows (``repeat``) gives the mean time and the largest
    memory. Files not written (yet) are left out."""
    jobs = []
    for path in map(Path, paths):
        if not path.is_file():
            continue
        rows = read_table(path)
        if not rows:
            continue
        seconds = [row["s"] for row in rows if row.get("s") is not None]
        memory = [row["max_rss"] for row in rows if row.get("max_rss") is not None]
        cpu = [row["cpu_time"] for row in rows if row.get("cpu_time") is not None]
        in_rule_folder = path.parent.name != "benchmarks"
        jobs.append(
            {
                "rule": path.parent.name if in_rule_folder else path.stem,
                "job": path.stem if in_rule_folder else "",
                "seconds": sum(seconds) / len(seconds) if seconds else None,
                "max_rss_mb": max(memory) if memory else None,
                "cpu_seconds": sum(cpu) / len(cpu) if cpu else None,
            }
        )
    return sorted(jobs, key=lambda job: (job["rule"], job["job"]))


def check_runs_belong(
    metrics_paths: list[str | Path], runs: list[dict], data: dict, settings_digests: dict[str, str] | None
) -> None:
    """Every run was evaluated on the data validated now and trained with the
    settings the config now gives it; else one sentence naming the file."""
    for path, run in zip(metrics_paths, runs, strict=True):
        if run.get("data_fingerprint") != data.get("fingerprint"):
            raise AscflowError(
                f"{path}: was made from other data than results/data/summary.json describes; "
                "a report must not mix data sets (run the workflow again to re-evaluate)."
            )
        expected = (settings_digests or {}).get(run["model"])
        if expected is not None and run.get("settings_digest") != expected:
            raise AscflowError(
                f"{path}: was made with other settings than the config gives {run['model']}; "
                "a report must not mix settings (run the workflow again to retrain)."
            )


def read_selections(paths: list[str | Path], data: dict) -> list[dict]:
    """Each swept model's choice (select_variant), checked to be of this data."""
    selections = [read_json(path) for path in paths]
    for path, selection in zip(paths, selections, strict=True):
        if selection.get("data_fingerprint") != data.get("fingerprint"):
            raise AscflowError(
                f"{path}: chose among variants trained on other data than results/data/summary.json "
                "describes; run the workflow again."
            )
    return selections


def validation_facts(runs: list[dict], labels_path: str | None, groups_path: str | None) -> dict[str, dict]:
    """Per model with a validation accuracy: the clips it counts (``n``),
    with its 95 % Wilson interval. On the test set (the reference's
    choice) the test clips; held out, the part of the training set that
    training held out, split again as training split it (the same labels,
    fraction, seed and, for a grouped split, groups): the metrics do not
    record its size. None known without the training labels."""
    facts, labels, groups = {}, None, None
    for run in runs:
        if run.get("validation_accuracy") is None:
            continue
        if run.get("validation") == "test":
            n = run["n_test"]
        elif run.get("validation") == "holdout" and labels_path:
            if labels is None:
                labels = np.load(labels_path)
                groups = np.load(groups_path) if groups_path else None
            split_groups = groups if run.get("split") == "grouped" else None
            n = holdout_split(labels, run["validation_fraction"], run["seed"], split_groups)[1].size
        else:
            continue
        low, high = wilson_interval(round(run["validation_accuracy"] * n), n)
        facts[run["model"]] = {"n": int(n), "ci95_low": low, "ci95_high": high}
    return facts


def read_predictions(paths: list[str | Path], runs: list[dict]) -> list[dict]:
    """The facts of each run's predictions, in the order of the runs; each
    must come from the bundle of the model the run evaluated (its data and
    settings), else one sentence naming the file."""
    by_model = {}
    for path in paths:
        facts = read_json(path)
        by_model[facts["model"]] = facts
        run = next((run for run in runs if run["model"] == facts["model"]), None)
        if run is None or (facts["data_fingerprint"], facts["settings_digest"]) != (
            run.get("data_fingerprint"),
            run.get("settings_digest"),
        ):
            raise AscflowError(
                f"{path}: was predicted by another model than this run's {facts['model']}; "
                "run the workflow again to predict anew."
            )
    return [by_model[run["model"]] for run in runs if run["model"] in by_model]


def read_deployed(paths: list[str | Path], runs: list[dict]) -> list[dict]:
    """Each network's deployed measurement, in the order of the runs; each
    must be of the model the run evaluated (its data and settings), else
    one sentence naming the file."""
    by_model = {}
    for path in paths:
        facts = read_json(path)
        run = next((run for run in runs if run["model"] == facts.get("model")), None)
        if run is None or (facts.get("data_fingerprint"), facts.get("settings_digest")) != (
            run.get("data_fingerprint"),
            run.get("settings_digest"),
        ):
            raise AscflowError(
                f"{path}: measures another model than this run's {facts.get('model')}; "
                "run the workflow again to measure it anew."
            )
        by_model[facts["model"]] = facts
    return [by_model[run["model"]] for run in runs if run["model"] in by_model]


def package_versions() -> dict[str, str]:
    versions = {}
    for entry in PROVENANCE_PACKAGES:
        for name in (entry,) if isinstance(entry, str) else entry:
            try:
                versions[name] = metadata.version(name)
                break
            except metadata.PackageNotFoundError:
                continue
        else:
            versions[entry if isinstance(entry, str) else entry[0]] = "not installed"
    return versions


def git_commit(repository: str | Path) -> str | None:
    """The checked-out commit, marked when the tracked files differ from it;
    None outside a git checkout or without git."""

    def git(*arguments: str) -> str:
        return subprocess.run(
            ["git", "-C", str(repository), *arguments], capture_output=True, text=True, check=True, timeout=10
        ).stdout.strip()

    try:
        commit = git("rev-parse", "HEAD")
        changed = git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{commit} (with uncommitted changes)" if changed else commit


def provenance(repository: str | Path) -> dict:
    versions = package_versions()
    return {
        "generated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "git_commit": git_commit(repository),
        "snakemake": versions.get("snakemake"),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "packages": versions,
    }


@dataclass(frozen=True)
class ResultFiles:
    """The workflow's results the report reads."""

    data_summary: str
    metrics: list[str]
    summary_table: str
    aggregate_table: str
    histories: list[str]
    parameters: str
    comparisons: str
    folds: list[str] = field(default_factory=list)  # the fold table, when cross-validating
    selections: list[str] = field(default_factory=list)  # each swept model's choice among its variants
    #: Per model, the facts of its predictions of predict_dir's files (with predict_dir).
    predictions: list[str] = field(default_factory=list)
    #: The training labels and groups, to size the networks' validation part.
    train_labels: str | None = None
    train_groups: str | None = None
    #: Per model its test-set probabilities (results/predictions/), and the
    #: test labels: this run's per-clip results, paired with an earlier run's.
    probabilities: list[str] = field(default_factory=list)
    test_labels: str | None = None
    #: results/learning_curve.tsv and its figure, with data_fractions.
    learning_curve: list[str] = field(default_factory=list)
    #: results/cv/<model>/epochs.json: the refit's epochs chosen (cv.choose_epochs_on).
    epoch_choices: list[str] = field(default_factory=list)
    #: Per network, its bundle's runtimes and budget measured (results/deployed/).
    deployed: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RunContext:
    """What the report states of the run besides its results."""

    #: The whole validated config, printed in the report.
    config: dict
    #: What each model's metrics must record, or the report refuses to mix
    #: them (None: not checked).
    settings_digests: dict[str, str] | None = None
    #: Each job's benchmark file, for the time and memory table.
    benchmarks: list[str] = field(default_factory=list)
    #: The history of runs (history/runs.tsv): with it the report compares
    #: this run with the earlier ones on the same data.
    ledger: str | None = None


def _history(files: ResultFiles, context: RunContext, runs: list[dict]) -> dict | None:
    """This run beside the earlier ones, paired clip by clip with the
    previous one where its predictions were kept; None without a ledger."""
    if not context.ledger:
        return None
    history = run_history(context.ledger, runs)
    alpha = read_json(files.comparisons).get("alpha", 0.05)
    history["paired"] = paired_with_previous(history, files.probabilities, files.test_labels, alpha)
    return history


def gather_results(files: ResultFiles, context: RunContext, repository: str | Path) -> Results:
    """Everything the report states; ``repository``: the checkout the
    workflow runs from, for its git commit."""
    data, runs = read_json(files.data_summary), read_runs(files.metrics, files.summary_table)
    check_runs_belong(files.metrics, runs, data, context.settings_digests)
    counts = read_parameter_tables(files.parameters)
    return Results(
        data=data,
        runs=runs,
        aggregate=read_table(files.aggregate_table),
        histories=read_histories(files.histories),
        parameters=with_keras_counts(counts, runs),
        benchmarks=read_benchmarks(context.benchmarks),
        config=context.config,
        comparisons=read_json(files.comparisons),
        folds=[row for path in files.folds for row in read_table(path)],
        provenance=provenance(repository),
        sweeps=read_selections(files.selections, data),
        history=_history(files, context, runs),
        complexity=model_complexity(counts, runs),
        predictions=read_predictions(files.predictions, runs),
        validation=validation_facts(runs, files.train_labels, files.train_groups),
        deployed=read_deployed(files.deployed, runs),
        learning_curve=[
            row for path in files.learning_curve if path.endswith(".tsv") for row in read_table(path)
        ],
        learning_curve_figure=next((path for path in files.learning_curve if path.endswith(".png")), None),
        epoch_choices=[read_json(path)["epoch_choice"] for path in files.epoch_choices],
    )
