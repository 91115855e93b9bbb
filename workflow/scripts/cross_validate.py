"""Rule cross_validate: one model on one fold of the training set."""

from ascflow.stages.runtime import run_stage

run_stage(snakemake, "crossval:fit_fold_job")
