"""Rule render_report: the figures, reports/report.md and reports/report.pdf, in one process."""

from ascflow.stages.runtime import run_stage

run_stage(snakemake, "report:render_report")
