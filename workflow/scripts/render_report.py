"""Rule render_report: the figures, reports/report.md and reports/report.pdf, in one process."""

from ascflow.stages.runtime import rule_logging

with rule_logging(snakemake.log[0]):
    from pathlib import Path

    from ascflow.stages.report import render_report
    from ascflow.stages.runtime import usable_threads

    source = snakemake.input
    documents = {"markdown", "pdf"}
    render_report(
        data_summary=source.data_summary,
        metrics=list(source.metrics),
        summary_table=source.summary_table,
        aggregate_table=source.aggregate_table,
        histories=list(source.histories),
        parameters=source.parameters,
        comparisons=source.comparisons,
        folds=list(source.folds),
        predictions=list(source.predictions),
        figure_paths={key: path for key, path in snakemake.output.items() if key not in documents},
        benchmarks=list(snakemake.params.benchmarks),
        settings_digests=dict(snakemake.params.settings_digests),
        config=snakemake.params.config,
        # The checkout the workflow runs from, for its git commit.
        repository=str(Path(snakemake.scriptdir).parent.parent),
        markdown_path=snakemake.output.markdown,
        pdf_path=snakemake.output.pdf,
        threads=usable_threads(snakemake.threads),
    )
