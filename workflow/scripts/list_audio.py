"""Checkpoint list_audio: list audio_dir's recordings, in chunks of files."""

from ascflow.stages.runtime import rule_logging

with rule_logging(snakemake.log[0]):
    from ascflow.stages.audio import list_audio

    list_audio(
        audio_dir=snakemake.params.audio_dir,
        chunk_files=snakemake.params.chunk_files,
        audio_checks=snakemake.params.audio_checks,
        manifest_path=snakemake.output.manifest,
    )
