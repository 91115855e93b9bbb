"""ascflow.models.settings: each family's settings typed once from its config
section, and given back as the dict the plan hashes into model digests."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import pytest
from ascflow.configuration import load_config
from ascflow.files import content_digest
from ascflow.models import settings as settings_module
from ascflow.models.settings import (
    ForestSettings,
    NetworkSettings,
    forest_settings,
    network_settings,
    run_settings,
)
from support import REPO

SHIPPED = load_config([REPO / "config" / "config.yaml"])


class ReadKeys(Mapping):
    """A config section that records which keys were read."""

    def __init__(self, section: dict):
        self.section, self.read = section, []

    def __getitem__(self, key):
        self.read.append(key)
        return self.section[key]

    def __iter__(self):
        return iter(self.section)

    def __len__(self):
        return len(self.section)


def test_forest_settings_take_the_tree_count_and_the_rf_sections_other_keys():
    rf = SHIPPED["rf"]  # n_estimators: [10, 50, 100], max_features: sqrt, min_samples_leaf: 1
    settings = forest_settings(rf, 50)
    assert settings == ForestSettings(n_estimators=50, max_features="sqrt", min_samples_leaf=1)
    assert dataclasses.is_dataclass(settings) and settings.__dataclass_params__.frozen
    # Exactly the dict the plan hashed before the settings were typed: the
    # default config's model digests do not move.
    before = {
        "n_estimators": 50,
        "max_features": rf["max_features"],
        "min_samples_leaf": rf["min_samples_leaf"],
    }
    assert settings.to_config() == before
    assert list(settings.to_config()) == ["n_estimators", "max_features", "min_samples_leaf"]
    assert content_digest(settings.to_config()) == content_digest(before)


@pytest.mark.parametrize("max_features", ["log2", 0.3, 7])
def test_forest_settings_keep_the_values_as_the_schema_validated_them(max_features):
    """A fraction stays a float and a count an int (scikit-learn reads them
    differently), and the digest of the dict stays the same."""
    settings = forest_settings({"max_features": max_features, "min_samples_leaf": 3}, 10)
    assert settings.to_config() == {"n_estimators": 10, "max_features": max_features, "min_samples_leaf": 3}
    assert type(settings.max_features) is type(max_features)


def test_forest_settings_read_the_section_by_the_dataclass_field_names():
    section = ReadKeys({"n_estimators": [10, 50], "max_features": "sqrt", "min_samples_leaf": 2, "other": 1})
    forest_settings(section, 10)
    fields = [field.name for field in dataclasses.fields(ForestSettings)]
    assert sorted(section.read) == sorted(set(fields) - {"n_estimators"})  # the list of counts is not read


def test_a_field_added_to_forest_settings_is_read_from_the_section_and_given_back(monkeypatch):
    """A new option is a schema key and a field: the constructor and
    to_config need no change."""
    extended = dataclasses.make_dataclass(
        "ForestSettings", [("criterion", str)], bases=(ForestSettings,), frozen=True
    )
    monkeypatch.setattr(settings_module, "ForestSettings", extended)
    settings = settings_module.forest_settings(
        {"max_features": "sqrt", "min_samples_leaf": 1, "criterion": "entropy"}, 10
    )
    assert settings.criterion == "entropy"
    assert settings.to_config() == {
        "n_estimators": 10,
        "max_features": "sqrt",
        "min_samples_leaf": 1,
        "criterion": "entropy",
    }


def test_a_missing_rf_key_names_the_key():
    with pytest.raises(KeyError, match="min_samples_leaf"):
        forest_settings({"max_features": "sqrt"}, 10)


def test_run_settings_type_a_runs_section_by_its_family():
    forest = {"n_estimators": 100, "max_features": 0.3, "min_samples_leaf": 1}
    assert run_settings("rf_100_max_features-0.3_seed1", forest) == ForestSettings(100, 0.3, 1)
    for family in ("cnn", "lstm"):
        section = SHIPPED[family]
        typed = run_settings(f"{family}_seed2", section)
        assert isinstance(typed, NetworkSettings) and typed == network_settings(family, section)
        assert typed.family == family
