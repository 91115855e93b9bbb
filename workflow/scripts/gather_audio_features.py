"""Rule gather_audio_features: the chunks in file order, as the data folder validate_data reads."""

from ascflow.stages.runtime import run_stage

run_stage(snakemake, "audio:gather_features")
