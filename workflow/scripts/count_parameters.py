"""Rule count_parameters: every network's counts, closed form against Keras."""

from ascflow.stages.runtime import run_stage

run_stage(snakemake, "count:count_parameters")
