"""ascflow.stages.train and ascflow.stages.crossval: the jobs on tiny data,
each request built as a rule script builds it, with its settings typed."""

from __future__ import annotations

import json
from types import SimpleNamespace

import joblib
import numpy as np
import pytest
from ascflow.models.settings import ForestSettings, network_settings
from ascflow.stages.crossval import CrossValidate, fit_fold_job
from ascflow.stages.runtime import Runtime, request_from
from ascflow.stages.train import (
    RefitInputs,
    RefitNetwork,
    RefitSettings,
    TrainedModel,
    TrainingInputs,
    TrainingSettings,
    TrainModel,
    fit_forest_job,
    fit_network_job,
    refit_epochs,
    refit_network_job,
)
from snakemake.iocontainers import InputFiles, OutputFiles, Params, Wildcards

FOREST = {"n_estimators": 6, "max_features": "sqrt", "min_samples_leaf": 1}
CNN = {
    "conv_layers": [{"filters": 2, "kernel_size": 3, "padding": "valid"}],
    "pool_size": 2,
    "learning_rate": 0.01,
    "batch_size": 8,
    "epochs": 3,
    "early_stopping_patience": 1,
}


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    """40 clips of 6 bands x 8 frames, 4 classes, recordings of 4 clips."""
    folder = tmp_path_factory.mktemp("features")
    rng = np.random.default_rng(0)
    labels = np.arange(40) % 4
    clips = rng.normal(size=(40, 6, 8)).astype(np.float32) + labels[:, None, None]
    np.save(folder / "flat.npy", clips.reshape(40, -1))
    np.save(folder / "channel.npy", clips[..., None])
    np.save(folder / "labels.npy", labels)
    np.save(folder / "groups.npy", np.arange(40) // 4)
    summary = {"n_classes": 4, "fingerprint": "f" * 64, "n_features": 6, "n_frames": 8}
    (folder / "summary.json").write_text(json.dumps(summary))
    return folder


def job_of(tmp_path, inputs, outputs, params, wildcards, rule):
    return SimpleNamespace(
        input=InputFiles(fromdict=inputs),
        output=OutputFiles(fromdict=outputs),
        params=Params(fromdict=params),
        wildcards=Wildcards(fromdict=wildcards),
        threads=1,
        log=[str(tmp_path / "job.log")],
        scriptdir=str(tmp_path / "workflow" / "scripts"),
        rule=rule,
    )


def training_inputs(data, layout: str) -> dict:
    return {
        "features": str(data / f"{layout}.npy"),
        "labels": str(data / "labels.npy"),
        "summary": str(data / "summary.json"),
        "groups": str(data / "groups.npy"),
    }


def test_fit_forest_job_fits_the_typed_settings_of_its_request(tmp_path, data):
    validation = {"mode": "holdout", "fraction": 0.25, "grouped": True}
    job = job_of(
        tmp_path,
        training_inputs(data, "flat"),
        {"model": str(tmp_path / "rf_6.joblib"), "info": str(tmp_path / "rf_6.train.json")},
        {"settings": FOREST, "seed": 2, "settings_digest": "d" * 64, "validation": validation, "code": "c"},
        {"model": "rf_6_max_features-sqrt"},
        "train_forest",
    )
    request = request_from(job, TrainModel)
    assert request.settings.settings == ForestSettings(6, "sqrt", 1)
    info = fit_forest_job(request)
    forest = joblib.load(tmp_path / "rf_6.joblib")
    assert len(forest.estimators_) == 6 and forest.random_state == 2
    assert info["settings"] == FOREST  # recorded as the plan passed them
    assert info["split"] == "grouped" and 0 <= info["validation_accuracy"] <= 1
    assert json.loads((tmp_path / "rf_6.train.json").read_text())["settings_digest"] == "d" * 64


def test_a_forests_fold_job_scores_the_held_out_fold(tmp_path, data):
    job = job_of(
        tmp_path,
        training_inputs(data, "flat"),
        {"fold": str(tmp_path / "fold2.json")},
        {
            "n_folds": 4,
            "settings": FOREST,
            "validation": {"mode": "holdout", "fraction": 0.2, "grouped": True},
            "seed": 1,
            "gpu": False,
            "work_dir": str(tmp_path / "resume"),
            "standardize": "per_band",
            "time_major": "transpose",
            "code": "c",
        },
        {"model": "rf_6", "fold": "2"},
        "cross_validate",
    )
    request = request_from(job, CrossValidate)
    assert request.settings.settings == ForestSettings(6, "sqrt", 1) and request.settings.fold == 2
    facts = fit_fold_job(request)
    assert (facts["model"], facts["family"], facts["fold"], facts["n_folds"]) == ("rf_6", "rf", 2, 4)
    assert facts["n_train"] + facts["n_held_out"] == 40 and facts["split"] == "grouped"
    assert facts["n_held_out"] % 4 == 0 and 0 <= facts["accuracy"] <= 1  # whole recordings
    assert json.loads((tmp_path / "fold2.json").read_text()) == facts


def test_the_refit_trains_the_chosen_runs_typed_settings_for_its_epochs(tmp_path, data):
    inputs = TrainingInputs(**training_inputs(data, "channel"))
    trained = fit_network_job(
        TrainModel(
            inputs,
            TrainedModel(str(tmp_path / "cnn.keras"), str(tmp_path / "cnn.json"), str(tmp_path / "cnn.csv")),
            TrainingSettings(
                model="cnn",
                settings=network_settings("cnn", CNN),
                seed=1,
                validation={"mode": "holdout", "fraction": 0.25, "grouped": True},
                gpu=False,
                work_dir=str(tmp_path / "resume"),
            ),
            Runtime(threads=1),
        )
    )
    assert trained["settings"] == CNN
    refit = refit_network_job(
        RefitNetwork(
            RefitInputs(str(tmp_path / "cnn.json"), inputs.features, inputs.labels, inputs.summary),
            TrainedModel(str(tmp_path / "r.keras"), str(tmp_path / "r.json"), str(tmp_path / "r.csv")),
            RefitSettings(
                model="cnn",
                seed=1,
                standardize="per_band",
                settings_digest="r" * 64,
                gpu=False,
                work_dir=str(tmp_path / "refit"),
            ),
            Runtime(threads=1),
        )
    )
    # Every clip, for the chosen epochs, with no early stopping; the settings
    # recorded are the chosen run's.
    assert refit["n_train"] == 40 and refit["refit"] is True and refit["trained_as"] == "cnn"
    assert refit["epochs_run"] == refit_epochs(trained)
    assert refit["settings"] == CNN and refit["best_epoch"] == trained["best_epoch"]
