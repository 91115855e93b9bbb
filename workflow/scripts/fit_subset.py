"""Rule fit_subset: one model on one nested subset of the training set, scored on the test set."""

from ascflow.stages.runtime import run_stage

run_stage(snakemake, "learning_curve:fit_subset_job")
