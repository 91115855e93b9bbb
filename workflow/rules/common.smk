"""Config validation, wildcard constraints and the helpers the rules share.

Every function a rule calls lives here (input functions, params functions
and the lists of targets), so that the stage files hold rules alone.
"""

import sys
from pathlib import Path

import yaml
from snakemake.utils import validate

# The rules' logic lives in the ascflow package under workflow/, which the
# set-up installs in editable mode; this makes the Snakefile parse even in an
# environment where it was not installed, from this very checkout.
sys.path.insert(0, str(Path(workflow.basedir, "workflow")))

from ascflow.configuration import check_config, coerce_to_schema
from ascflow.data.validation import SPLITS, data_paths, data_state
from ascflow.errors import AscflowError
from ascflow.files import content_digest
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
from ascflow.sources import code_files


def stop(error):
    """End the run before any job starts, with the one sentence of ``error``
    (as a failing job's script prints it), not a traceback."""
    print(f"ascflow: {error}", file=sys.stderr)
    raise SystemExit(1)


CONFIG_SCHEMA = Path(workflow.current_basedir, "../schemas/config.schema.yaml")
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


DEFAULT_DATA_DIR = "resources/default"

#: Threads a training or evaluation job asks for; the job itself never uses
#: more than the CPUs it may run on (see ascflow.stages.runtime.usable_threads).
TRAIN_THREADS = 4


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


def uses_default_data():
    """True when no data folder is configured: the built-in data is made."""
    return not config["data_dir"]


def get_data_dir():
    return DEFAULT_DATA_DIR if uses_default_data() else config["data_dir"]


def get_data_state():
    """How each file of the user's data folder stands on disk, a param of
    validate_data: replacing a file re-validates even when its modification
    time is older. Stops the run at once when a file is missing or unreadable."""
    if uses_default_data():
        return {}  # made by generate_default_data, which Snakemake tracks
    try:
        return data_state(config["data_dir"])
    except AscflowError as error:
        stop(error)


def get_data_files(wildcards=None):
    """The four .npy inputs by stem (X_train, ...), and classes.txt if any."""
    files = {stem: str(path) for stem, path in data_paths(get_data_dir()).items()}
    classes = Path(get_data_dir(), "classes.txt")
    if uses_default_data() or classes.is_file():
        files["classes"] = str(classes)
    return files


def get_clips(wildcards):
    """The clips of one split, for its features."""
    return get_data_files()[f"X_{wildcards.split}"]


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
        "summary": rules.validate_data.output.summary,
    }
    if config["validation"]["mode"] == "test":
        inputs["test_features"] = get_features(layout, "test")
        inputs["test_labels"] = rules.validate_data.output.test_labels
    return inputs


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


def get_benchmark_files():
    """The benchmark file of every job this config runs before the report,
    for its time and memory table (not inputs: Snakemake cannot plan them)."""
    models = get_model_names()
    files = [
        rules.validate_data.benchmark,
        *expand(rules.make_features.benchmark, layout=LAYOUTS, split=SPLITS),
        *expand(rules.train_forest.benchmark, model=get_forest_names()),
        *expand(rules.train_network.benchmark, model=network_names(models)),
        *expand(rules.evaluate_model.benchmark, model=models),
        rules.count_parameters.benchmark,
        rules.render_figures.benchmark,
    ]
    if uses_default_data():
        files.insert(0, rules.generate_default_data.benchmark)
    return [str(path) for path in files]


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
        rules.summarize_metrics.output.summary,
        rules.count_parameters.output.counts,
        *rules.render_report.output,
    ]
