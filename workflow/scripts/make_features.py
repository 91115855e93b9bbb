"""Rule make_features: one layout of one split, standardized if configured."""

from ascflow.stages.runtime import run_stage

run_stage(snakemake, "features:make_features")
