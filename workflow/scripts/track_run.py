"""Rule track_run: the run logged to MLflow (mlflow_tracking_uri)."""

from ascflow.stages.runtime import rule_logging

with rule_logging(snakemake.log[0]):
    from pathlib import Path

    from ascflow.stages.history import track_run_job
    from ascflow.stages.runtime import as_list

    source = snakemake.input
    track_run_job(
        tracking_uri=snakemake.params.tracking_uri,
        experiment=snakemake.params.experiment,
        metrics_paths=as_list(source.metrics),
        history_paths=as_list(source.histories),
        refit_history_paths=as_list(source.refit_histories),
        report_paths=[source.pdf, source.markdown],
        figure_paths=as_list(source.figures),
        tracked_path=snakemake.output.tracked,
        config=snakemake.params.config,
        # The checkout the workflow runs from, for its git commit.
        repository=str(Path(snakemake.scriptdir).parent.parent),
    )
