"""Rule extract_audio_chunk: the log mel-band energies of one chunk of recordings."""

from ascflow.stages.runtime import rule_logging

with rule_logging(snakemake.log[0]):
    from ascflow.stages.audio import extract_chunk

    extract_chunk(
        audio_paths=list(snakemake.input.audio),
        settings=dict(snakemake.params.settings),
        chunk_path=snakemake.output.chunk,
    )
