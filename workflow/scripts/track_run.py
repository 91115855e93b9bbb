"""Rule track_run: the run logged to MLflow (mlflow_tracking_uri)."""

from ascflow.stages.runtime import run_stage

run_stage(snakemake, "history:track_run_job")
