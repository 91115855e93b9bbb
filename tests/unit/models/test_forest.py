"""ascflow.models.forest: a random forest fitted with its typed settings."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from ascflow.models.forest import train_forest
from ascflow.models.settings import ForestSettings
from sklearn.ensemble import RandomForestClassifier


@pytest.fixture(scope="module")
def clips():
    rng = np.random.default_rng(0)
    labels = np.arange(60) % 3
    return rng.normal(size=(60, 24)).astype(np.float32) + labels[:, None], labels


def test_train_forest_passes_every_setting_to_scikit_learn(clips):
    features, labels = clips
    settings = ForestSettings(n_estimators=7, max_features=0.5, min_samples_leaf=2)
    forest, info = train_forest(features, labels, settings, seed=3, n_jobs=1)
    assert (forest.n_estimators, forest.max_features, forest.min_samples_leaf) == (7, 0.5, 2)
    assert (forest.random_state, forest.n_jobs) == (3, 1)
    assert len(forest.estimators_) == 7
    assert info["tree_nodes"] == sum(tree.tree_.node_count for tree in forest.estimators_)
    assert info["train_seconds"] >= 0 and info["n_params"] is None and info["epochs_run"] is None
    # The same forest as scikit-learn's own call with those arguments.
    direct = RandomForestClassifier(7, max_features=0.5, min_samples_leaf=2, random_state=3).fit(
        features, labels
    )
    assert np.array_equal(forest.predict_proba(features), direct.predict_proba(features))


def test_a_field_added_to_the_settings_reaches_scikit_learn(clips):
    """A field is the RandomForestClassifier argument of its name."""
    extended = dataclasses.make_dataclass(
        "ForestSettings", [("criterion", str)], bases=(ForestSettings,), frozen=True
    )
    forest, _ = train_forest(*clips, extended(5, "sqrt", 1, "entropy"), seed=0, n_jobs=1)
    assert forest.criterion == "entropy"
