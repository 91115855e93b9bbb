"""Rule select_variant: rank a model's sweep variants on validation data, keep the best."""

from ascflow.stages.runtime import run_stage

run_stage(snakemake, "sweep:select_variant_job")
