"""Rule validate_data: check the data folder, write its summary and labels."""

from ascflow.stages.runtime import run_stage

run_stage(snakemake, "data:validate_data")
