"""ascflow.plan.identity: each model's settings and digests."""

from __future__ import annotations

from ascflow.plan import Plan
from plans import config, laptop, plan, swept


def test_a_models_settings_digest_follows_its_own_settings_only():
    before = plan().identity
    after = plan({"lstm": {"units": 5}}).identity
    models = plan().roster.models
    changed = {model for model in models if before.settings_digest(model) != after.settings_digest(model)}
    assert changed == {"lstm"}
    # The key order of a config file alone changes nothing.
    reordered = config()
    reordered["cnn"] = dict(reversed(list(reordered["cnn"].items())))
    assert Plan(reordered, laptop()).identity.settings_digests == before.settings_digests
    # The validation split shapes the networks, not the forests.
    split = plan({"validation": {"fraction": 0.3}}).identity
    assert {m for m in models if before.settings_digest(m) != split.settings_digest(m)} == {"cnn", "lstm"}


def test_a_forests_settings_are_its_tree_count_and_the_rf_keys():
    identity = plan({"rf": {"max_features": "log2"}}).identity
    assert identity.settings("rf_50") == {"n_estimators": 50, "max_features": "log2", "min_samples_leaf": 1}
    assert identity.validation("rf_50") == {} and identity.validation("cnn")["fraction"] == 0.25
    assert identity.architecture("lstm") == {"kernel_initializer": "he_uniform", "units": 4}


def test_a_variants_settings_are_its_familys_with_its_values_and_the_digest_covers_every_run():
    sweep = swept({"cv": {"folds": 3}, "refit": True})
    identity = sweep.identity
    assert identity.settings("cnn_learning_rate-0.01")["learning_rate"] == 0.01
    assert identity.model_digest("cnn") != identity.settings_digest("cnn_learning_rate-0.01")
    other = swept({"sweep": {"cnn": {"learning_rate": [0.001, 0.02]}}, "cv": {"folds": 3}, "refit": True})
    assert other.identity.model_digest("cnn") != identity.model_digest("cnn")
    assert swept().identity.validation("rf_10_max_features-0.3")


def test_settings_that_one_family_reads_leave_the_others_alone():
    assert plan({"gpu": True}).identity.gpu_setting("rf_10") is False
    assert plan({"gpu": True}).identity.gpu_setting("cnn") is True
    identity = plan({"lstm": {"time_major": "reshape"}}).identity
    assert identity.time_major("time_major") == "reshape" and identity.time_major("flat") == "transpose"
