"""ascflow.configuration: the config checked against its schema in one
sentence, nested overrides typed, defaults filled in as Snakemake fills them."""

from __future__ import annotations

import copy

import pytest
import yaml
from ascflow.configuration import (
    SCHEMA,
    check_config,
    coerce_to_schema,
    complete,
    load_config,
    merge,
    on_command_line,
)
from ascflow.errors import AscflowError
from support import REPO, TINY_CONFIG

SCHEMA_DICT = yaml.safe_load(SCHEMA.read_text())
SHIPPED = REPO / "config" / "config.yaml"


def shipped() -> dict:
    return yaml.safe_load(SHIPPED.read_text())


@pytest.mark.parametrize(
    ("change", "sentence"),
    [
        (
            {"cnn": {"epochs": "two"}},
            'config key cnn.epochs: "two" is not allowed; it must be an integer '
            "(on the command line: --config 'cnn={epochs: ...}').",
        ),
        (
            {"leakage": "maybe"},
            'config key leakage: "maybe" is not allowed; it must be one of "warn", "error" '
            "(on the command line: --config leakage=...).",
        ),
        (
            {"validation": {"fraction": 1.5}},
            "config key validation.fraction: 1.5 is not allowed; it must be a number less than 1 "
            "(on the command line: --config 'validation={fraction: ...}').",
        ),
        (
            {"cv": {"folds": 1}},
            "config key cv.folds: 1 is not allowed; it must be anything but 1 "
            "(on the command line: --config 'cv={folds: ...}').",
        ),
        (
            {"rf": {"n_estimators": []}},
            "config key rf.n_estimators: [] is not allowed; it must be a list of at least 1 item(s) "
            "(on the command line: --config 'rf={n_estimators: ...}').",
        ),
        ({"typo": 1}, "config: unknown key typo at the top level; allowed: "),
        ({"cnn": {"epoch": 3}}, "config: unknown key epoch in cnn; allowed: batch_norm, batch_size, "),
        (
            {"cnn": {"conv_layers": [{"filters": 4, "kernel_size": 5, "padding": "full"}]}},
            'config key cnn.conv_layers[0].padding: "full" is not allowed; it must be one of "valid", '
            '"same".',
        ),
    ],
)
def test_each_bad_value_is_one_sentence_naming_the_key(change, sentence):
    config = merge(shipped(), change)
    with pytest.raises(AscflowError) as raised:
        check_config(config, SCHEMA_DICT)
    assert str(raised.value).startswith(sentence), str(raised.value)
    assert "\n" not in str(raised.value)


def test_the_shipped_configs_pass():
    check_config(shipped(), SCHEMA_DICT)
    check_config(yaml.safe_load(TINY_CONFIG.read_text()), SCHEMA_DICT)
    for extra in (REPO / "config").glob("*.yaml"):
        check_config(merge(shipped(), yaml.safe_load(extra.read_text())), SCHEMA_DICT)


def test_nested_overrides_are_typed_by_the_schema():
    """--config 'cnn={epochs: 2}' reaches the config as text."""
    config = {"cnn": {"epochs": "2", "learning_rate": "1e-3"}, "gpu": "True", "tensorboard": "false"}
    config = coerce_to_schema(config, SCHEMA_DICT)
    assert config == {"cnn": {"epochs": 2, "learning_rate": 0.001}, "gpu": True, "tensorboard": False}
    # Text that does not read as the type asked for stays text, for check_config to name.
    assert coerce_to_schema({"cnn": {"epochs": "two"}}, SCHEMA_DICT) == {"cnn": {"epochs": "two"}}
    assert coerce_to_schema({"gpu": "AUTO"}, SCHEMA_DICT) == {"gpu": "auto"}


def test_defaults_are_filled_in_as_snakemakes_validate_fills_them(tmp_path):
    from snakemake.utils import validate

    for config in ({}, {"cnn": {"epochs": 3}}, yaml.safe_load(TINY_CONFIG.read_text())):
        ours, snakemakes = complete(copy.deepcopy(config), SCHEMA_DICT), copy.deepcopy(config)
        validate(snakemakes, schema=str(SCHEMA))
        assert ours == snakemakes
    assert complete({}, SCHEMA_DICT)["cnn"]["conv_layers"][0]["filters"] == 32


def test_config_files_merge_key_by_key_as_a_second_configfile_does():
    config = load_config([SHIPPED, TINY_CONFIG])
    assert config["cnn"]["epochs"] == 2 and config["cnn"]["pool_size"] == 2  # merged, not replaced
    assert config["rf"]["n_estimators"] == [10, 50, 100] and config["default_data"]["n_train"] == 48
    assert config["audio"]["sample_rate"] == 44100  # from the schema's default
    base = {"rf": {"n_estimators": [1, 2]}, "seeds": [1]}
    assert merge(base, {"rf": {"n_estimators": [3]}, "seeds": []}) == {
        "rf": {"n_estimators": [3]},
        "seeds": [],
    }


def test_a_bad_file_stops_in_one_sentence(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("lstm: {units: many}\n")
    with pytest.raises(AscflowError, match=r'^config key lstm\.units: "many" is not allowed'):
        load_config([SHIPPED, bad])


def test_the_command_line_form_is_the_one_snakemake_takes():
    assert on_command_line("seed") == " (on the command line: --config seed=...)"
    assert on_command_line("cnn", "epochs") == " (on the command line: --config 'cnn={epochs: ...}')"
    nested = on_command_line("sweep", "cnn", "learning_rate")
    assert nested.endswith("--config 'sweep={cnn: {learning_rate: ...}}')")
    assert on_command_line("cnn", "conv_layers", 0, "filters") == ""  # a list is set whole
