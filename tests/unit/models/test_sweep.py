"""Sweeps as variants (Snakemake's Paramspace), their names, and the choice
on validation data; the cv folds' own standardization."""

import numpy as np
import pytest
import yaml
from ascflow.errors import AscflowError
from ascflow.features import from_layout, standardize_clips, to_layout
from ascflow.models.naming import parse_model_name, variant_name
from ascflow.models.sweep import SweepPlan, check_sweep, family_variants, rank_variants, varied_keys
from ascflow.stages.crossval import standardized_fold
from ascflow.stages.train import chosen_run, refit_epochs
from support import REPO, paramspace_labels

SCHEMA = yaml.safe_load((REPO / "workflow/schemas/config.schema.yaml").read_text())


def test_variants_are_the_product_named_as_paramspace_writes_them():
    variants = family_variants({"learning_rate": [0.0007, 0.004], "batch_size": [32, 64]}, paramspace_labels)
    # Keys in alphabetical order, values as written (no 32 -> 32.0 beside a float).
    assert [variant.label for variant in variants] == [
        "batch_size-32_learning_rate-0.0007",
        "batch_size-32_learning_rate-0.004",
        "batch_size-64_learning_rate-0.0007",
        "batch_size-64_learning_rate-0.004",
    ]
    assert variants[1].values == {"batch_size": 32, "learning_rate": 0.004}
    assert [v.label for v in family_variants({"max_features": ["sqrt", 0.3]}, paramspace_labels)] == [
        "max_features-sqrt",
        "max_features-0.3",
    ]


def test_plan_names_runs_with_variants_and_keeps_models_without():
    plan = SweepPlan({"cnn": {"learning_rate": [0.0007, 0.004]}, "rf": {}}, paramspace_labels)
    assert plan.runs("cnn_seed1") == ["cnn_learning_rate-0.0007_seed1", "cnn_learning_rate-0.004_seed1"]
    assert plan.runs("lstm") == ["lstm"] and plan.runs("rf_10") == ["rf_10"]
    assert plan.all_runs(["rf_10", "cnn", "lstm"]) == [
        "rf_10",
        "cnn_learning_rate-0.0007",
        "cnn_learning_rate-0.004",
        "lstm",
    ]
    assert plan.settings("cnn_learning_rate-0.004", {"learning_rate": 0.001, "epochs": 2}) == {
        "learning_rate": 0.004,
        "epochs": 2,
    }
    assert plan.values("cnn") == {} and not plan.is_swept("lstm") and plan.is_swept("cnn_seed0")
    assert SweepPlan({}, paramspace_labels).all_runs(["rf_10", "cnn"]) == ["rf_10", "cnn"]


def test_variant_names_parse_back_to_their_model():
    for model, label in [("cnn", "learning_rate-0.004"), ("rf_100_seed2", "max_features-0.3"), ("lstm", "")]:
        name = parse_model_name(variant_name(model, label))
        assert name.model == model and (name.variant or "") == label
    name = parse_model_name("lstm_kernel_initializer-glorot_uniform_seed3")
    assert (name.base, name.variant, name.seed_suffix) == ("lstm", "kernel_initializer-glorot_uniform", 3)


@pytest.mark.parametrize(
    "sweep, mode, message",
    [
        ({"rf": {"n_estimators": [10, 20]}}, "holdout", "sweep.rf.n_estimators: cannot be swept"),
        ({"lstm": {"time_major": ["reshape"]}}, "holdout", "sweep.lstm.time_major: cannot be swept"),
        ({"cnn": {"units": [4]}}, "holdout", "sweep.cnn.units: cannot be swept: cnn has no such key"),
        ({"cnn": {"learning_rate": ["fast"]}}, "holdout", 'sweep.cnn.learning_rate: "fast" is not allowed'),
        (
            {"cnn": {"epochs": [0]}},
            "holdout",
            "sweep.cnn.epochs: 0 is not allowed; it must be an integer of at",
        ),
        ({"lstm": {"kernel_initializer": ["a b"]}}, "holdout", "cannot name a variant"),
        ({"cnn": {"learning_rate": [0.1, 0.1]}}, "holdout", "lists a value twice"),
        ({"cnn": {"learning_rate": [0.1, 0.2]}}, "test", "validation.mode: test validates on the test set"),
    ],
)
def test_a_bad_sweep_is_one_sentence_naming_its_key(sweep, mode, message):
    with pytest.raises(AscflowError, match=message.replace(".", r"\.").replace("(", r"\(")):
        check_sweep(sweep, SCHEMA, mode)


def test_variants_rank_by_cv_mean_else_held_out_accuracy_ties_in_order():
    ranked = rank_variants(
        [
            {"run": "a", "validation_accuracy": 0.9, "cv_mean": 0.5},
            {"run": "b", "validation_accuracy": 0.1, "cv_mean": 0.6},
            {"run": "c", "validation_accuracy": 0.2, "cv_mean": 0.6},
        ]
    )
    assert [row["run"] for row in ranked] == ["b", "c", "a"] and ranked[0]["rank"] == 1
    held_out = rank_variants(
        [{"run": "a", "validation_accuracy": 0.4}, {"run": "b", "validation_accuracy": 0.7}]
    )
    assert [row["run"] for row in held_out] == ["b", "a"] and held_out[0]["score"] == 0.7
    with pytest.raises(AscflowError, match="a: has no validation accuracy"):
        rank_variants([{"run": "a", "validation_accuracy": None}])
    assert varied_keys({"x": {"lr": 1, "epochs": 2}, "y": {"lr": 2, "epochs": 2}}) == ["lr"]


def test_refit_trains_the_epochs_early_stopping_kept():
    assert refit_epochs({"best_epoch": 7, "epochs_run": 17}) == 7
    assert refit_epochs({"best_epoch": None, "epochs_run": 10}) == 10
    selection = {"selected": "cnn_learning_rate-0.004", "selected_info": {"best_epoch": 3}}
    assert chosen_run(selection, "cnn") == ("cnn_learning_rate-0.004", {"best_epoch": 3})
    assert chosen_run({"best_epoch": 3}, "cnn") == ("cnn", {"best_epoch": 3})


LAYOUTS = [
    ("flat", "transpose"),
    ("channel", "transpose"),
    ("time_major", "transpose"),
    ("time_major", "reshape"),
]


@pytest.mark.parametrize("layout, method", LAYOUTS)
def test_a_fold_standardizes_with_its_own_training_part(layout, method):
    """Features standardized with the whole training set's statistics,
    standardized again by the fold's: what standardizing the raw clips with
    the fold's own training statistics gives."""
    rng = np.random.default_rng(0)
    clips = (rng.normal(size=(30, 4, 6)) * [[1], [3], [10], [0.5]] + [[0], [5], [-2], [1]]).astype(np.float32)
    whole_mean, whole_std = clips.mean(axis=(0, 2)), clips.std(axis=(0, 2))
    features = np.ascontiguousarray(
        to_layout(standardize_clips(clips, whole_mean, whole_std), layout, method)
    )
    train_index, held_index = np.arange(0, 20), np.arange(20, 30)
    summary = {"n_features": 4, "n_frames": 6}
    train, held = standardized_fold(features[train_index], features[held_index], layout, summary, method)
    fold_mean, fold_std = clips[train_index].mean(axis=(0, 2)), clips[train_index].std(axis=(0, 2))
    for part, index in ((train, train_index), (held, held_index)):
        expected = standardize_clips(clips[index], fold_mean, fold_std)
        np.testing.assert_allclose(from_layout(part, layout, 4, 6, method), expected, atol=1e-4)
    assert not np.allclose(
        from_layout(held, layout, 4, 6, method), from_layout(features[held_index], layout, 4, 6, method)
    )
