"""Rule render_report: reports/report.md and reports/report.pdf, one document."""

from ascflow.stages.runtime import rule_logging

with rule_logging(snakemake.log[0]):
    from pathlib import Path

    from ascflow.stages.report import write_documents

    source = snakemake.input
    write_documents(
        data_summary=source.data_summary,
        metrics=list(source.metrics),
        summary_table=source.summary_table,
        aggregate_table=source.aggregate_table,
        histories=list(source.histories),
        parameters=source.parameters,
        comparisons=source.comparisons,
        folds=list(source.folds),
        figures=list(source.figures),
        benchmarks=list(snakemake.params.benchmarks),
        settings_digests=dict(snakemake.params.settings_digests),
        config=snakemake.params.config,
        # The checkout the workflow runs from, for its git commit.
        repository=str(Path(snakemake.scriptdir).parent.parent),
        markdown_path=snakemake.output.markdown,
        pdf_path=snakemake.output.pdf,
    )
