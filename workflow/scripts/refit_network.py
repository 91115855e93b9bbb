"""Rule refit_network: the chosen network once more, on the whole training set."""

from ascflow.stages.runtime import run_stage

run_stage(snakemake, "train:refit_network_job")
