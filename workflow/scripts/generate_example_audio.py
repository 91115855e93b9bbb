"""Rule generate_example_audio: write the example recordings in the DCASE layout."""

from ascflow.stages.runtime import rule_logging

with rule_logging(snakemake.log[0]):
    from pathlib import Path

    from ascflow.stages.audio import write_example_audio

    write_example_audio(
        out_dir=str(Path(snakemake.output.meta).parent),
        settings=dict(snakemake.params.settings),
        seed=snakemake.params.seed,
    )
