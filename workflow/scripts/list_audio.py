"""Checkpoint list_audio: list audio_dir's recordings, in chunks of files."""

from ascflow.stages.runtime import run_stage

run_stage(snakemake, "audio:list_audio")
