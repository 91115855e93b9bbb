"""Errors the workflow owns are one sentence, before any job where they
can be known, and leave what a run delivered in place."""

from __future__ import annotations

import os
import subprocess
import time

import numpy as np
import pytest
from support import copy_run, one_sentence, snakemake_command, tiny_args


def run(workdir, *args, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        snakemake_command(workdir, *args), capture_output=True, text=True, cwd=workdir, env=env, timeout=600
    )


def test_a_tracked_run_without_mlflow_stops_before_any_job(tmp_path):
    """As where MLflow is not installed: the import system finds no mlflow."""
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "sitecustomize.py").write_text("import sys\nsys.modules['mlflow'] = None\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site")}
    result = run(tmp_path, *tiny_args("--config", "mlflow_tracking_uri=sqlite:///m.db"), env=env)
    sentence = one_sentence(result)
    assert sentence.startswith("ascflow: config key mlflow_tracking_uri: is set, but MLflow is not installed")
    assert "pip install" in sentence
    assert not (tmp_path / "results").exists()


def test_a_tracking_server_that_does_not_answer_keeps_the_results_and_the_report(tiny_run, tmp_path):
    workdir = copy_run(tiny_run, tmp_path / "run")
    started = time.monotonic()
    result = run(workdir, *tiny_args("--config", "mlflow_tracking_uri=http://127.0.0.1:9"))
    assert time.monotonic() - started < 120  # the report re-rendered, then a minute at most
    sentence = one_sentence(result)
    assert sentence.startswith("ascflow: config key mlflow_tracking_uri: http://127.0.0.1:9 does not answer")
    assert (workdir / "reports/report.md").stat().st_size > 0
    assert (workdir / "reports/report.pdf").stat().st_size > 0
    assert sorted(path.name for path in (workdir / "results/metrics").glob("*.json")) == sorted(
        path.name for path in (tiny_run / "results/metrics").glob("*.json")
    )


@pytest.mark.parametrize(
    ("target", "sentence"),
    [
        ("results/metrics/rf_20.json", "rf_20 is not a model of this config (this config's models are"),
        ("results/models/rf_abc.joblib", "rf_abc is not a model name: models are named rf_<trees>"),
        ("results/export/lstm_seed3", "lstm_seed3 is not a model of this config"),
    ],
)
def test_a_target_naming_a_model_the_config_does_not_hold_is_one_sentence(tmp_path, target, sentence):
    result = run(tmp_path, target, *tiny_args())
    assert one_sentence(result).startswith(f"ascflow: {sentence}")
    assert not (tmp_path / "results/models").exists()  # no forest of 20 trees, no data made for it


def test_a_prediction_that_stops_leaves_the_last_good_tables(tiny_run, tmp_path):
    """Every model classifies predict_dir's clips; then new clips meet a
    damaged bundle: its prediction stops, and its table stays the last good one."""
    workdir = copy_run(tiny_run, tmp_path / "run")
    folder = tmp_path / "clips"
    folder.mkdir()
    clips = np.load(workdir / "resources/default/X_test.npy")
    np.save(folder / "X.npy", clips[:6])
    predict = ["predict", *tiny_args("--config", f"predict_dir={folder}")]
    assert run(workdir, *predict).returncode == 0
    tables = {path.name: path.read_bytes() for path in (workdir / "results/predict").iterdir()}
    assert {"rf_10.tsv", "rf_10.json", "cnn.tsv"} <= set(tables)

    forest = workdir / "results/export/rf_10/model.skops"
    forest.write_bytes(forest.read_bytes() + b"\0")
    np.save(folder / "X.npy", clips[6:12])  # new clips: every model classifies again
    result = run(workdir, *predict)
    assert "does not match the SHA-256 the bundle's manifest records" in one_sentence(result)
    assert (workdir / "results/predict/rf_10.tsv").read_bytes() == tables["rf_10.tsv"]
    assert (workdir / "results/predict/rf_10.json").read_bytes() == tables["rf_10.json"]


def test_a_damaged_model_that_nothing_reads_is_named_before_any_job(tmp_path):
    """With refit, the validation run's network is delivered but read by
    nothing (its evaluation and bundle hold the refit); damaged, the next run
    names it instead of saying there is nothing to do."""
    target = ["results/refit/cnn.keras", *tiny_args("--config", "refit=true")]
    assert run(tmp_path, *target).returncode == 0
    model = tmp_path / "results/models/cnn.keras"
    model.write_bytes(model.read_bytes()[:-100])
    sentence = one_sentence(run(tmp_path, "-n", *target))
    assert sentence.startswith("ascflow: results/models/cnn.keras: is not the file its training wrote")
