"""Rule make_features: one layout of one split, standardized if configured."""

from ascflow.stages.runtime import rule_logging

with rule_logging(snakemake.log[0]):
    from ascflow.stages.features import make_features

    make_features(
        clips_path=snakemake.input.clips,
        summary_path=snakemake.input.summary,
        features_path=snakemake.output.features,
        layout=snakemake.wildcards.layout,
        standardize=snakemake.params.standardize,
        time_major=snakemake.params.time_major,
    )
