"""Rule train_forest: one random forest on the flattened training clips."""

from ascflow.stages.runtime import run_stage

run_stage(snakemake, "train:fit_forest_job")
