"""Rule generate_default_data: write the built-in synthetic scenes."""

from ascflow.stages.runtime import rule_logging

with rule_logging(snakemake.log[0]):
    from pathlib import Path

    from ascflow.stages.data import generate_data

    generate_data(
        out_dir=str(Path(snakemake.output.classes).parent),
        settings=dict(snakemake.params.settings),
        seed=snakemake.params.seed,
    )
