"""Config validation, wildcard constraints and the helpers the rules share."""

import sys
from pathlib import Path

from snakemake.utils import validate

# The rules' logic lives in the ascflow package under workflow/, which the
# set-up installs in editable mode; this makes the Snakefile parse even in an
# environment where it was not installed, from this very checkout.
sys.path.insert(0, str(Path(workflow.basedir, "workflow")))

from ascflow.data.validation import SPLITS, data_paths
from ascflow.features import LAYOUTS
from ascflow.models.naming import (
    FAMILY_LAYOUT,
    FOREST_PATTERN,
    NETWORK_PATTERN,
    model_names,
    model_seed,
    parse_model_name,
)
from ascflow.params import COUNTED_NETWORKS

validate(config, schema="../schemas/config.schema.yaml")


wildcard_constraints:
    split="|".join(SPLITS),
    layout="|".join(LAYOUTS),


DEFAULT_DATA_DIR = "resources/default"


def canonical(value):
    """``value`` with every dict's keys sorted, recursively. Snakemake compares
    params by their text, so that the order of keys in a config file alone
    must not re-run anything."""
    if isinstance(value, dict):
        return {key: canonical(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [canonical(item) for item in value]
    return value


def uses_default_data():
    """True when no data folder is configured: the built-in data is made."""
    return not config["data_dir"]


def get_data_dir():
    return DEFAULT_DATA_DIR if uses_default_data() else config["data_dir"]


def get_data_files():
    """The four .npy inputs by stem (X_train, ...), and classes.txt if any."""
    files = {stem: str(path) for stem, path in data_paths(get_data_dir()).items()}
    classes = Path(get_data_dir(), "classes.txt")
    if uses_default_data() or classes.is_file():
        files["classes"] = str(classes)
    return files


def get_final_output():
    """Everything a default run delivers."""
    return [
        rules.validate_data.output.summary,
        rules.summarize_metrics.output.summary,
        rules.count_parameters.output.counts,
        *rules.render_report.output,
    ]


#: Threads a training or evaluation job asks for; the job itself never uses
#: more than the CPUs it may run on (see ascflow.models.jobs.usable_threads).
TRAIN_THREADS = 4


def get_model_names():
    """Every model this config trains: rf_<trees>..., cnn, lstm (+ seeds)."""
    return model_names(config["rf"]["n_estimators"], config["seeds"])


def get_model_family(wildcards):
    return parse_model_name(wildcards.model).family


def get_model_seed(wildcards):
    return model_seed(wildcards.model, config["seed"])


def get_features(layout, split):
    return expand(rules.make_features.output.features, layout=layout, split=split)[0]


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


def get_network_hyperparameters(wildcards):
    """The config section of the model's family (cnn or lstm) alone, so that
    changing one network's settings re-runs that network only."""
    return canonical(config[get_model_family(wildcards)])


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
