"""Report: the figures, reports/report.md and reports/report.pdf, and the
results Snakemake's HTML report (`snakemake --report`) shows."""

from ascflow.report import source_files
from ascflow.report.outputs import figure_outputs, network_names

# Snakemake re-runs a job when its `script:` changes, but not when a module
# the script imports does. Listing the report package's sources as inputs
# makes an edit to any of them re-run the figures and the report, and
# nothing upstream; since Snakemake 9.18 small inputs are compared by
# checksum, so a mere touch or checkout does not.
REPORT_CODE = source_files()


rule render_figures:
    input:
        metrics=expand(rules.evaluate_model.output.metrics, model=get_model_names()),
        histories=expand(
            rules.train_network.output.history,
            model=network_names(get_model_names()),
        ),
        code=REPORT_CODE,
    output:
        **{
            key: report(
                figure.path,
                caption=f"../report/{figure.kind}.rst",
                category=figure.category,
                labels=figure.labels,
            )
            for key, figure in figure_outputs(get_model_names()).items()
        },
    log:
        "logs/render_figures.log",
    benchmark:
        "benchmarks/render_figures.tsv"
    conda:
        "../../environment.yml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    script:
        "../scripts/render_figures.py"


rule render_report:
    input:
        data_summary=rules.validate_data.output.summary,
        metrics=rules.render_figures.input.metrics,
        summary_table=rules.summarize_metrics.output.summary,
        aggregate_table=rules.summarize_metrics.output.aggregate,
        histories=rules.render_figures.input.histories,
        parameters=rules.count_parameters.output.counts,
        figures=rules.render_figures.output,
        code=REPORT_CODE,
    output:
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
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        # The whole validated config, printed in the report: any change to
        # it re-runs the report.
        config=canonical(config),
        # Read for the time and memory table, not declared as inputs: the
        # benchmark files are not outputs Snakemake can plan for, and every
        # job whose timing matters has finished before the report runs, as
        # the report's inputs come from them.
        benchmark_dir="benchmarks",
    script:
        "../scripts/render_report.py"
