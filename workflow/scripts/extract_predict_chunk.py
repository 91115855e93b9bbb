"""Rule extract_predict_chunk: one chunk of new recordings, extracted with a bundle's settings."""

from ascflow.stages.runtime import run_stage

run_stage(snakemake, "predict:extract_chunk")
