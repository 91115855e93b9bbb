"""Config validation, wildcard constraints and the helpers the rules share.

Every function a rule calls lives here (input functions, params functions
and the lists of targets), so that the stage files hold rules alone.
"""

import sys
from pathlib import Path

from snakemake.utils import validate

# The rules' logic lives in the ascflow package under workflow/, which the
# set-up installs in editable mode; this makes the Snakefile parse even in an
# environment where it was not installed, from this very checkout.
sys.path.insert(0, str(Path(workflow.basedir, "workflow")))

from ascflow.data.validation import SPLITS, data_paths
from ascflow.features import LAYOUTS
from ascflow.models.counting import COUNTED_NETWORKS
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

validate(config, schema="../schemas/config.schema.yaml")


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


def get_model_family(wildcards):
    return parse_model_name(wildcards.model).family


def get_model_seed(wildcards):
    return model_seed(wildcards.model, config["seed"])


def get_features(layout, split):
    return expand(rules.make_features.output.features, layout=layout, split=split)[0]


def get_time_major(wildcards):
    """How the LSTM's layout views a clip; the other layouts keep a fixed
    value, so that changing it re-runs the LSTM's features alone."""
    return config["lstm"]["time_major"] if wildcards.layout == "time_major" else "transpose"


def get_forest_settings(wildcards):
    return {
        "n_estimators": parse_model_name(wildcards.model).trees,
        "max_features": config["rf"]["max_features"],
        "min_samples_leaf": config["rf"]["min_samples_leaf"],
    }


def get_network_settings(wildcards):
    """The config section of the model's family (cnn or lstm) alone, so that
    changing one network's settings re-runs that network only."""
    return canonical(config[get_model_family(wildcards)])


def get_architecture(family):
    """The keys of a network's config section that shape the network: what
    its parameter count depends on."""
    return canonical({key: config[family][key] for key in ARCHITECTURE_KEYS[family]})


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
    return expand(rules.train_network.output.history, model=network_names(get_model_names()))


def get_final_output():
    """Everything a default run delivers."""
    return [
        rules.validate_data.output.summary,
        rules.summarize_metrics.output.summary,
        rules.count_parameters.output.counts,
        *rules.render_report.output,
    ]
