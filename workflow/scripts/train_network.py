"""Rule train_network: the CNN or the LSTM, resumable after a kill."""

from ascflow.stages.runtime import run_stage

run_stage(snakemake, "train:fit_network_job")
