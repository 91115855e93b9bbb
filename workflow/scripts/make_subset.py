"""Rule make_subset: one fraction's clip list of the training set."""

from ascflow.stages.runtime import run_stage

run_stage(snakemake, "learning_curve:make_subset_job")
