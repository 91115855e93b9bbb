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

validate(config, schema="../schemas/config.schema.yaml")


wildcard_constraints:
    split="|".join(SPLITS),
    layout="|".join(LAYOUTS),


DEFAULT_DATA_DIR = "resources/default"


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
        *expand(rules.make_features.output.features, layout=LAYOUTS, split=SPLITS),
    ]
