"""Rule generate_example_audio: write the example recordings in the DCASE layout."""

from ascflow.stages.runtime import run_stage

run_stage(snakemake, "audio:write_example_audio")
