"""Rule summarize_metrics: one table of every model run, and per-model means."""

from ascflow.stages.runtime import rule_logging

with rule_logging(snakemake.log[0]):
    from ascflow.stages.evaluate import summarize_metrics

    summarize_metrics(
        metrics_paths=list(snakemake.input.metrics),
        summary_path=snakemake.output.summary,
        aggregate_path=snakemake.output.aggregate,
    )
