"""Rule summarize_folds: one table of every model's fold scores."""

from ascflow.stages.runtime import run_stage

run_stage(snakemake, "evaluate:summarize_folds")
