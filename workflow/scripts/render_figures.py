"""Rule render_figures: the report's PNG figures from the metrics and histories."""

from ascflow.stages.runtime import rule_logging

with rule_logging(snakemake.log[0]):
    from ascflow.stages.report import draw_figures

    draw_figures(
        metrics_paths=list(snakemake.input.metrics),
        history_paths=list(snakemake.input.histories),
        comparisons_path=snakemake.input.comparisons,
        figure_paths=dict(snakemake.output.items()),
    )
