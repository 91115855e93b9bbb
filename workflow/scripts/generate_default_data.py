"""Rule generate_default_data: write the built-in synthetic scenes."""

from ascflow.stages.runtime import run_stage

run_stage(snakemake, "data:generate_data")
