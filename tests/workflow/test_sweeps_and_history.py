"""Sweeps, the history of runs and MLflow, through real Snakemake runs on
the tiny data: one folder, two runs with different settings, a re-rendered
report, shared by every test of this module."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml
from support import REPO, TINY_CONFIG, planned_jobs, read_metrics, snakemake, tiny_args

mlflow = pytest.importorskip("mlflow", reason="the optional extra: pip install '.[mlflow]'")

VARIANTS = ["cnn_learning_rate-0.0007", "cnn_learning_rate-0.004"]
MODELS = ["rf_10", "cnn", "lstm"]


def config_file(folder: Path, name: str, **changes) -> Path:
    config = yaml.safe_load(TINY_CONFIG.read_text())
    config.update(
        rf={"n_estimators": [10]},  # one forest is enough here
        sweep={"cnn": {"learning_rate": [0.0007, 0.004]}},
        refit=True,
        mlflow_tracking_uri="sqlite:///mlflow.db",
        **changes,
    )
    path = folder / name
    path.write_text(yaml.safe_dump(config))
    return path


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict:
    """The first run, a second with the LSTM widened, and the report re-rendered."""
    workdir = tmp_path_factory.mktemp("sweep_run")
    first = config_file(workdir, "first.yaml")
    second = config_file(
        workdir, "second.yaml", lstm={**yaml.safe_load(TINY_CONFIG.read_text())["lstm"], "units": 5}
    )
    planned = planned_jobs(snakemake(workdir, "-n", "--configfile", str(first), "--cores", "2").stdout)
    snakemake(workdir, "--configfile", str(first), "--cores", "2")
    after_first = {
        "report": (workdir / "reports/report.md").read_text(),
        "ledger": (workdir / "history/runs.tsv").read_text(),
        "metrics": read_metrics(workdir),
    }
    snakemake(workdir, "--configfile", str(second), "--cores", "2")
    ledger_after_second = (workdir / "history/runs.tsv").read_text()
    snakemake(workdir, "--configfile", str(second), "--cores", "2", "--forcerun", "render_report")
    return {
        "workdir": workdir,
        "planned": planned,
        "first": after_first,
        "ledger_after_second": ledger_after_second,
        "second_config": second,
    }


def test_each_variant_trains_as_a_job_of_its_own(runs):
    assert runs["planned"]["train_network"] == 3  # two CNN variants and the LSTM
    assert runs["planned"]["select_variant"] == 1 and runs["planned"]["refit_network"] == 2
    workdir = runs["workdir"]
    for variant in VARIANTS:
        assert "epoch 1/2:" in (workdir / f"logs/train_network/{variant}.log").read_text()
        assert (workdir / f"results/models/{variant}.keras").stat().st_size > 0


def test_the_variant_kept_is_the_best_on_validation_and_the_report_says_so(runs):
    workdir = runs["workdir"]
    held_out = {
        variant: json.loads((workdir / f"results/models/{variant}.train.json").read_text())[
            "validation_accuracy"
        ]
        for variant in VARIANTS
    }
    best = max(VARIANTS, key=lambda variant: (held_out[variant], -VARIANTS.index(variant)))
    selection = json.loads((workdir / "results/sweep/cnn.json").read_text())
    assert selection["selected"] == best and selection["criterion"] == "holdout"
    metrics = runs["first"]["metrics"]
    assert metrics["cnn"]["trained_as"] == best and metrics["cnn"]["refit"] is True
    assert set(metrics) == set(MODELS)  # only the kept variant is scored on the test set
    report = runs["first"]["report"]
    section = report.split("## Sweeps: variants chosen on validation data", 1)[1].split("\n## ", 1)[0]
    assert f"Kept: {best} ({held_out[best]:.4f})" in section
    assert "The test set played no part in the choice" in section
    for variant in VARIANTS:
        assert re.search(rf"^\| {re.escape(variant)} \| .* \| {held_out[variant]:.4f} \|", section, re.M)
    assert "(figures/sweep_cnn.png)" in section and (workdir / "reports/figures/sweep_cnn.png").stat().st_size


def test_refit_networks_trained_on_every_training_clip_for_the_epochs_kept(runs):
    workdir = runs["workdir"]
    metrics = read_metrics(workdir)
    for model in ("cnn", "lstm"):
        chosen = json.loads(
            (workdir / f"results/models/{metrics[model]['trained_as']}.train.json").read_text()
        )
        refit = json.loads((workdir / f"results/refit/{model}.train.json").read_text())
        assert refit["epochs_run"] == (chosen["best_epoch"] or chosen["epochs_run"])
        assert refit["n_train"] == 48  # tests/config/tiny.yaml's whole training set
        assert metrics[model]["validation_run"]["validation_accuracy"] == chosen["validation_accuracy"]
    assert "Refit after choosing" in (workdir / "reports/report.md").read_text()


def test_the_ledger_holds_both_runs_once_each(runs):
    first_ledger = runs["first"]["ledger"].splitlines()
    assert len(first_ledger) == 1 + len(MODELS)
    ledger = (runs["workdir"] / "history/runs.tsv").read_text()
    assert ledger == runs["ledger_after_second"]  # re-rendering the report added nothing
    rows = [line.split("\t") for line in ledger.splitlines()]
    header, rows = rows[0], rows[1:]
    assert header[:6] == ["run_id", "finished", "commit", "data_fingerprint", "settings_digest", "model"]
    assert len(rows) == 2 * len(MODELS) and len({row[0] for row in rows}) == 2
    assert [row[5] for row in rows] == MODELS * 2


def test_the_report_compares_with_the_previous_run(runs):
    report = (runs["workdir"] / "reports/report.md").read_text()
    assert "There is nothing to compare with yet" in runs["first"]["report"]
    section = report.split("## Compared with earlier runs", 1)[1].split("\n## ", 1)[0]
    assert "This run beside the previous run on the same data" in section
    rows = {line.split(" | ")[0].strip("| "): line for line in section.splitlines() if line.startswith("| ")}
    assert "lstm.units: 4 → 5" in rows["lstm"] and rows["rf_10"].rstrip(" |").endswith("none")
    before = runs["first"]["metrics"]["lstm"]["accuracy"]
    now = read_metrics(runs["workdir"])["lstm"]["accuracy"]
    assert f"| {now:.4f} | {before:.4f} | {now - before:+.4f} |" in rows["lstm"]
    assert "(figures/history.png)" in section
    # The change is tested clip by clip against the first run's kept predictions.
    assert "McNemar's exact test reads the clips one run got right and the other wrong" in section
    assert "No paired test is possible" not in section
    assert re.search(r"\| \d+ vs \d+ clips, p [=<] [\d.]+( \(significant\))? \|", rows["lstm"])
    assert "one point is no trend" in runs["first"]["report"]
    assert "(figures/history.png)" not in runs["first"]["report"]  # one run: nothing to draw


def test_each_recorded_run_keeps_its_predicted_classes(runs):
    workdir = runs["workdir"]
    identities = list(
        dict.fromkeys(line.split("\t")[0] for line in runs["ledger_after_second"].splitlines()[1:])
    )
    assert len(identities) == 2
    labels = np.load(workdir / "results/data/labels_test.npy")
    for identity in identities:
        kept = workdir / "history/predictions" / identity
        assert sorted(path.stem for path in kept.glob("*.npy")) == sorted(MODELS)
        assert np.load(kept / "lstm.npy").shape == labels.shape
    latest = np.load(workdir / "history/predictions" / identities[-1] / "cnn.npy")
    assert (latest == np.load(workdir / "results/predictions/cnn.npy").argmax(axis=1)).all()


def test_mlflow_holds_every_model_and_the_report_of_each_run(runs):
    workdir = runs["workdir"]
    client = mlflow.tracking.MlflowClient(tracking_uri=f"sqlite:///{workdir / 'mlflow.db'}")
    experiment = client.get_experiment_by_name("ascflow")
    logged = client.search_runs([experiment.experiment_id])
    parents = [run for run in logged if run.data.tags.get("ascflow.kind") == "workflow"]
    assert len(parents) == 2  # two runs; the re-rendered report went to the second's parent
    latest = json.loads((workdir / "results/history/mlflow.json").read_text())
    children = {
        run.data.tags["ascflow.model"]: run
        for run in logged
        if run.data.tags.get("mlflow.parentRunId") == latest["parent_run_id"]
    }
    metrics = read_metrics(workdir)
    assert set(children) == set(MODELS)
    for model, run in children.items():
        assert run.data.metrics["accuracy"] == pytest.approx(metrics[model]["accuracy"])
        assert run.data.metrics["macro_f1"] == pytest.approx(metrics[model]["macro_f1"])
    epochs = client.get_metric_history(children["lstm"].info.run_id, "epoch_loss")
    assert sorted(metric.step for metric in epochs) == [1, 2]
    assert children["cnn"].data.params["learning_rate"] == str(metrics["cnn"]["settings"]["learning_rate"])
    artifacts = {item.path for item in client.list_artifacts(latest["parent_run_id"], "report")}
    assert "report/report.pdf" in artifacts


def test_snakemake_html_report_labels_each_variant(runs, tmp_path):
    workdir = runs["workdir"]
    snakemake(workdir, "--configfile", str(runs["second_config"]), "--report", str(tmp_path / "report.html"))
    html = (tmp_path / "report.html").read_text(errors="replace")
    assert "learning_rate-0.004" in html and "learning_rate-0.0007" in html


def test_without_mlflow_nothing_imports_it(tmp_path):
    result = snakemake(tmp_path, "-n", *tiny_args("--config", "sweep={cnn: {learning_rate: [0.001, 0.01]}}"))
    jobs = planned_jobs(result.stdout)
    assert "track_run" not in jobs and jobs["train_network"] == 3
    # The modules the other rules run leave MLflow unimported.
    modules = "ascflow.stages.report, ascflow.stages.history, ascflow.stages.sweep, ascflow.tracking"
    check = f"import sys, {modules}; assert 'mlflow' not in sys.modules"
    subprocess.run(
        [sys.executable, "-c", check],
        check=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO / "workflow")},
    )
