"""Rule predict_model: classify predict_dir with one model's bundle."""

from ascflow.stages.runtime import run_stage

run_stage(snakemake, "predict:predict_job")
