"""Rule extract_audio_chunk: the log mel-band energies of one chunk of recordings."""

from ascflow.stages.runtime import run_stage

run_stage(snakemake, "audio:extract_chunk")
