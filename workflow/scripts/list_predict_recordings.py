"""Checkpoint list_predict_recordings: the recordings below predict_dir, in chunks."""

from ascflow.stages.runtime import rule_logging

with rule_logging(snakemake.log[0]):
    from ascflow.stages.predict import list_recordings

    list_recordings(
        predict_dir=snakemake.params.predict_dir,
        chunk_files=snakemake.params.chunk_files,
        manifest_path=snakemake.output.manifest,
    )
