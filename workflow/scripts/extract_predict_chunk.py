"""Rule extract_predict_chunk: one chunk of new recordings, extracted with a bundle's settings."""

from ascflow.stages.runtime import rule_logging

with rule_logging(snakemake.log[0]):
    from ascflow.stages.predict import extract_chunk

    extract_chunk(
        bundle_dir=snakemake.input.bundle,
        audio_paths=list(snakemake.input.audio),
        chunk_path=snakemake.output.chunk,
    )
