"""Rule evaluate_model: score one model on the test set, write its metrics."""

from ascflow.stages.runtime import run_stage

run_stage(snakemake, "evaluate:evaluate_job")
