"""ascflow.plan.roster: which models and training runs a run has."""

from __future__ import annotations

from plans import config, plan, swept


def test_models_forests_first_then_networks_once_per_seed():
    assert plan().roster.models == ["rf_10", "rf_50", "rf_100", "cnn", "lstm"]
    roster = plan({"seeds": [0, 1], "rf": {"n_estimators": [5]}}).roster
    assert roster.forests == ["rf_5_seed0", "rf_5_seed1"]
    assert roster.networks == ["cnn_seed0", "cnn_seed1", "lstm_seed0", "lstm_seed1"]
    assert [roster.seed(model) for model in roster.forests] == [0, 1]
    assert roster.seed("cnn") == config()["seed"]


def test_only_the_networks_read_the_test_set_and_only_in_the_references_mode():
    default, reference = plan().roster, plan({"validation": {"mode": "test"}}).roster
    assert not any(default.reads_test_set(model) for model in default.models)
    assert [model for model in reference.models if reference.reads_test_set(model)] == ["cnn", "lstm"]


def test_refits_are_the_networks_in_holdout_mode():
    assert plan({"refit": True}).roster.refit_models == ["cnn", "lstm"]
    assert plan({"refit": False}).roster.refit_models == []
    assert plan({"refit": True, "validation": {"mode": "test"}}).roster.refit_models == []


def test_a_sweep_trains_every_variant_and_ranks_forests_by_folds_when_there_are_folds():
    roster = swept({"cv": {"folds": 3}, "refit": True}).roster
    assert roster.swept_models == ["rf_10", "rf_50", "rf_100", "cnn"]
    assert roster.runs("lstm") == ["lstm"] and len(roster.runs("cnn")) == 2
    assert roster.folds == [1, 2, 3] and plan().roster.folds == []
    assert not roster.forest_validates("rf_10_max_features-0.3")  # the folds rank the forests
    assert swept().roster.forest_validates("rf_10_max_features-0.3")


def test_a_model_the_config_does_not_hold_is_named_with_what_it_holds():
    roster = plan().roster
    twenty = roster.unknown_model("rf_20")
    assert twenty.startswith("rf_20 is not a model of this config (this config's models are rf_10, rf_50,")
    assert "--config 'rf={n_estimators: [10, 50, 100, 20]}'" in twenty
    assert roster.unknown_model("rf_abc").startswith(
        "rf_abc is not a model name: models are named rf_<trees>"
    )
    assert roster.unknown_model("lstm_seed3") == (
        "lstm_seed3 is not a model of this config (this config's models are rf_10, rf_50, rf_100, cnn, lstm)."
    )
