"""Rule export_model: one trained model as a bundle that travels."""

from ascflow.stages.runtime import run_stage

run_stage(snakemake, "export:export_job")
