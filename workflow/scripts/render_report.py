"""Rule render_report: reports/report.md and reports/report.pdf, one document."""

from ascflow.runner import rule_logging

with rule_logging(snakemake.log[0]) as log:
    from pathlib import Path

    from ascflow.report.build import write_report
    from ascflow.report.gather import gather_results

    source = snakemake.input
    results = gather_results(
        data_summary=source.data_summary,
        metrics=source.metrics,
        summary_table=source.summary_table,
        aggregate_table=source.aggregate_table,
        histories=source.histories,
        parameters=source.parameters,
        benchmark_dir=snakemake.params.benchmark_dir,
        config=snakemake.params.config,
        # The checkout the workflow runs from, for its git commit.
        repository=Path(snakemake.scriptdir).parent,
    )
    figures = {Path(path).stem: Path(path) for path in source.figures}
    write_report(results, figures, snakemake.output.markdown, snakemake.output.pdf)
    log.info("wrote %s and %s", snakemake.output.markdown, snakemake.output.pdf)
