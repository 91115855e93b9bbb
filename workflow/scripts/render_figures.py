"""Rule render_figures: the report's PNG figures from the metrics and histories."""

from ascflow.runner import rule_logging

with rule_logging(snakemake.log[0]) as log:
    from ascflow.report.figures import render_figures
    from ascflow.report.gather import read_histories, read_runs

    render_figures(
        read_runs(snakemake.input.metrics),
        read_histories(snakemake.input.histories),
        dict(snakemake.output.items()),
    )
    log.info("wrote %d figures", len(snakemake.output))
