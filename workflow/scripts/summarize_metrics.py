"""Rule summarize_metrics: one table of every model run, and per-model means."""

from ascflow.runner import rule_logging

with rule_logging(snakemake.log[0]):
    import json

    from ascflow.evaluate import write_summary_tables

    metrics = [json.loads(open(path).read()) for path in snakemake.input.metrics]
    write_summary_tables(metrics, snakemake.output.summary, snakemake.output.aggregate)
