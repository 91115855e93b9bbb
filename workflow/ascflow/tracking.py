"""A completed run, logged to MLflow (config ``mlflow_tracking_uri``).

One parent run per workflow run, tagged with the ledger's run id and
carrying the report and its figures as artifacts; under it one run per model
with its hyperparameters as params, its accuracy, macro-F1 and training time
as metrics, and a network's epoch history as step metrics. A run logged
already (the same run id: the report re-rendered) keeps its model runs and
gets the new report and figures.

MLflow is an optional extra (``pip install '.[mlflow]'``), imported here
only, and only when a run is logged.
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

from ascflow.errors import AscflowError

RUN_ID_TAG = "ascflow.run_id"
#: The metrics of each model run.
MODEL_METRICS = ("accuracy", "ci95_low", "ci95_high", "macro_f1", "train_seconds")
#: The columns of a network's history logged per epoch (as step metrics).
EPOCH_METRICS = ("loss", "accuracy", "val_loss", "val_accuracy", "seconds")


#: Said when mlflow_tracking_uri is set and MLflow is not installed.
NOT_INSTALLED = (
    "config key mlflow_tracking_uri: is set, but MLflow is not installed; install the optional "
    "extra (.venv/bin/pip install -e '.[mlflow]' in the checkout, or pip install 'mlflow>=2.10') "
    "or leave the key empty."
)
#: How long a tracking server that does not answer may hold the run up:
#: MLflow's defaults retry for minutes (7 retries, 120 s each, backing off).
SERVER_PATIENCE = {
    "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "1",
    "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": "1",
    "MLFLOW_HTTP_REQUEST_TIMEOUT": "15",
}


def check_installed(tracking_uri: str) -> None:
    """Before any job: a run that will be tracked needs MLflow."""
    import importlib.util

    if tracking_uri and importlib.util.find_spec("mlflow") is None:
        raise AscflowError(NOT_INSTALLED)


def _client(tracking_uri: str):
    import os

    for name, value in SERVER_PATIENCE.items():
        os.environ.setdefault(name, value)
    try:
        from mlflow.tracking import MlflowClient
    except ImportError as error:
        raise AscflowError(NOT_INSTALLED) from error
    return MlflowClient(tracking_uri=tracking_uri)


def model_params(run: dict) -> dict[str, str]:
    """A model's hyperparameters and training facts as MLflow params (text)."""
    params = {key: value for key, value in run.get("settings", {}).items()}
    for key in ("family", "seed", "standardize", "validation", "refit", "trained_as", "data_fingerprint"):
        params[key] = run.get(key)
    return {key: value if isinstance(value, str) else json.dumps(value) for key, value in params.items()}


def log_run(
    tracking_uri: str,
    experiment: str,
    run_id: str,
    models: list[dict],
    histories: dict[str, list[dict]],
    artifacts: dict[str, list[str]],
    parent_params: dict[str, str],
) -> dict:
    """Log one workflow run: ``models`` their metrics (as evaluate_model
    wrote them), ``histories`` each network's epochs by model, ``artifacts``
    files by artifact folder (report, figures). Returns the MLflow ids."""
    from mlflow.exceptions import MlflowException

    client = _client(tracking_uri)
    try:
        return _log_run(client, experiment, run_id, models, histories, artifacts, parent_params)
    except MlflowException as error:
        if "Max retries exceeded" not in str(error) and "Connection" not in str(error):
            raise
        raise AscflowError(
            f"config key mlflow_tracking_uri: {tracking_uri} does not answer; the results and the "
            "report are kept: start the tracking server and run snakemake again to log this run, "
            "or leave the key empty."
        ) from error


def _log_run(client, experiment, run_id, models, histories, artifacts, parent_params) -> dict:
    from mlflow.entities import Metric, Param, RunTag

    found = client.get_experiment_by_name(experiment)
    experiment_id = found.experiment_id if found else client.create_experiment(experiment)
    logged = client.search_runs(
        [experiment_id],
        filter_string=f"tags.`{RUN_ID_TAG}` = '{run_id}' and tags.`ascflow.kind` = 'workflow'",
    )
    if logged:
        parent = logged[0].info.run_id
        children = {
            run.data.tags.get("ascflow.model"): run.info.run_id
            for run in client.search_runs(
                [experiment_id], filter_string=f"tags.`mlflow.parentRunId` = '{parent}'"
            )
        }
    else:
        parent = client.create_run(
            experiment_id,
            run_name=f"ascflow-{run_id}",
            tags={RUN_ID_TAG: run_id, "ascflow.kind": "workflow"},
        ).info.run_id
        client.log_batch(parent, params=[Param(key, value) for key, value in parent_params.items()])
        children = {}
        now = int(time.time() * 1000)
        for run in models:
            child = client.create_run(
                experiment_id,
                run_name=run["model"],
                tags={"mlflow.parentRunId": parent, RUN_ID_TAG: run_id, "ascflow.model": run["model"]},
            ).info.run_id
            metrics = [
                Metric(key, float(run[key]), now, 0) for key in MODEL_METRICS if run.get(key) is not None
            ]
            for row in histories.get(run["model"], []):
                metrics += [
                    Metric(f"epoch_{key}", float(row[key]), now, int(row["epoch"]))
                    for key in EPOCH_METRICS
                    if row.get(key) is not None and not math.isnan(float(row[key]))
                ]
            params = [Param(key, value) for key, value in model_params(run).items()]
            client.log_batch(
                child, metrics=metrics, params=params, tags=[RunTag("ascflow.family", run["family"])]
            )
            client.set_terminated(child)
            children[run["model"]] = child
    for folder, paths in artifacts.items():
        for path in paths:
            client.log_artifact(parent, str(Path(path)), artifact_path=folder)
    client.set_terminated(parent)
    return {"experiment_id": experiment_id, "parent_run_id": parent, "model_run_ids": children}
