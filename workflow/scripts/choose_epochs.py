"""Rule choose_epochs: the refit's epochs, on the held-out part or the mean curve over the folds."""

from ascflow.stages.runtime import run_stage

run_stage(snakemake, "sweep:choose_epochs_job")
