"""Rule summarize_metrics: one table of every model run, and per-model means."""

from ascflow.stages.runtime import run_stage

run_stage(snakemake, "evaluate:summarize_metrics")
