"""A run logged to a real MLflow SQLite store, read back with MLflow's client."""

import pytest
from ascflow.tracking import log_run

mlflow = pytest.importorskip("mlflow", reason="the optional extra: pip install '.[mlflow]'")


def test_models_metrics_history_and_report_land_in_mlflow(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the store's artifacts go beside it
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    report = tmp_path / "report.pdf"
    report.write_bytes(b"%PDF-1.4 fake")
    interval = {"ci95_low": 0.3, "ci95_high": 0.8}
    models = [
        {"model": "rf_10", "family": "rf", "accuracy": 0.5, **interval, "macro_f1": 0.4,
         "train_seconds": 1.5, "settings": {"n_estimators": 10}, "seed": 7},
        {"model": "cnn", "family": "cnn", "accuracy": 0.6, **interval, "macro_f1": 0.55,
         "train_seconds": 3.0, "settings": {"learning_rate": 0.004}, "seed": 7, "refit": True},
    ]  # fmt: skip
    history = [
        {"epoch": e, "loss": 1.0 / e, "accuracy": 0.1 * e, "val_loss": float("nan")} for e in (1, 2, 3)
    ]
    first = log_run(
        uri, "ascflow", "run1", models, {"cnn": history}, {"report": [str(report)]}, {"seed": "7"}
    )
    again = log_run(
        uri, "ascflow", "run1", models, {"cnn": history}, {"report": [str(report)]}, {"seed": "7"}
    )
    assert again["parent_run_id"] == first["parent_run_id"]  # the same run: no second one

    client = mlflow.tracking.MlflowClient(tracking_uri=uri)
    experiment = client.get_experiment_by_name("ascflow")
    runs = client.search_runs([experiment.experiment_id])
    assert len(runs) == 3
    children = {run.data.tags["ascflow.model"]: run for run in runs if "ascflow.model" in run.data.tags}
    assert set(children) == {"rf_10", "cnn"}
    cnn = children["cnn"]
    assert cnn.data.tags["mlflow.parentRunId"] == first["parent_run_id"]
    assert cnn.data.metrics["accuracy"] == 0.6 and cnn.data.metrics["macro_f1"] == 0.55
    assert cnn.data.params["learning_rate"] == "0.004" and cnn.data.params["refit"] == "true"
    steps = client.get_metric_history(cnn.info.run_id, "epoch_loss")
    assert sorted((metric.step, metric.value) for metric in steps) == [(1, 1.0), (2, 0.5), (3, 1 / 3)]
    assert client.get_metric_history(cnn.info.run_id, "epoch_val_loss") == []  # NaN: not logged
    artifacts = [item.path for item in client.list_artifacts(first["parent_run_id"], "report")]
    assert artifacts == ["report/report.pdf"]


def test_a_tracked_run_without_mlflow_stops_naming_the_install_command(monkeypatch):
    import importlib.util

    from ascflow.errors import AscflowError
    from ascflow.tracking import check_installed

    check_installed("sqlite:///mlflow.db")  # installed here
    check_installed("")  # not tracked: nothing needed
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None if name == "mlflow" else real(name))
    with pytest.raises(
        AscflowError, match=r"MLflow is not installed; install the optional extra \(.*pip install"
    ):
        check_installed("sqlite:///mlflow.db")


def test_a_server_that_does_not_answer_is_one_sentence_within_seconds(tmp_path):
    import time

    from ascflow.errors import AscflowError

    started = time.monotonic()
    with pytest.raises(
        AscflowError, match=r"^config key mlflow_tracking_uri: http://127\.0\.0\.1:9 does not answer"
    ):
        log_run("http://127.0.0.1:9", "ascflow", "r1", [], {}, {}, {})
    assert time.monotonic() - started < 60
