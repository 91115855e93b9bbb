"""Rule gather_audio_features: the chunks in file order, as the data folder validate_data reads."""

from ascflow.stages.runtime import rule_logging

with rule_logging(snakemake.log[0]):
    from pathlib import Path

    from ascflow.stages.audio import gather_features

    gather_features(
        manifest_path=snakemake.input.manifest,
        chunk_paths=list(snakemake.input.chunks),
        settings=dict(snakemake.params.settings),
        audio_checks=snakemake.params.audio_checks,
        out_dir=str(Path(snakemake.output.X_train).parent),
        facts_path=snakemake.output.facts,
    )
