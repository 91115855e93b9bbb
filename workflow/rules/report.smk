"""Report: the figures, reports/report.md and reports/report.pdf, and the
results Snakemake's HTML report (`snakemake --report`) shows."""


rule render_report:
    """Draw the figures and write reports/report.md and reports/report.pdf, in one process."""
    input:
        data_summary=rules.validate_data.output.summary,
        metrics=expand(rules.evaluate_model.output.metrics, model=get_model_names()),
        summary_table=rules.summarize_metrics.output.summary,
        aggregate_table=rules.summarize_metrics.output.aggregate,
        histories=get_histories(),
        parameters=rules.count_parameters.output.counts,
        comparisons=rules.compare_models.output.comparisons,
        folds=get_fold_table(),
        audio_manifest=get_audio_manifest_input,
    output:
        **get_figure_outputs(),
        markdown=ensure("reports/report.md", non_empty=True),
        pdf=report(
            ensure("reports/report.pdf", non_empty=True),
            caption="../report/report.rst",
            category="Report",
        ),
    log:
        "logs/render_report.log",
    benchmark:
        "benchmarks/render_report.tsv"
    conda:
        "../../environment.yml"
    # The figures are drawn by one forked worker per thread; the report runs
    # last, when the cores are free.
    threads: REPORT_THREADS
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        # The whole validated config, printed in the report: any change to
        # it re-runs the report.
        config=canonical(config),
        # What each model's metrics must record, or the report refuses to
        # mix them.
        settings_digests=get_settings_digests(),
        # Read for the time and memory table, not declared as inputs: the
        # benchmark files are not outputs Snakemake can plan for, and every
        # job whose timing matters has finished before the report runs, as
        # the report's inputs come from them. This config's jobs only.
        benchmarks=get_benchmark_files,
        code=code_digest("ascflow.stages.report:render_report"),
    script:
        "../scripts/render_report.py"
