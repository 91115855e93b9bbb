"""Checkpoint list_predict_recordings: the recordings below predict_dir, in chunks."""

from ascflow.stages.runtime import run_stage

run_stage(snakemake, "predict:list_recordings")
