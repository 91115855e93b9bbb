"""Rule count_parameters: every network's counts, closed form against Keras."""

from ascflow.stages.runtime import rule_logging

with rule_logging(snakemake.log[0]):
    from ascflow.stages.count import count_parameters

    count_parameters(
        summary_path=snakemake.input.summary,
        cnn=dict(snakemake.params.cnn),
        lstm=dict(snakemake.params.lstm),
        complexity_limits=dict(snakemake.params.complexity_limits),
        counts_path=snakemake.output.counts,
        table_paths={name: path for name, path in snakemake.output.items() if name != "counts"},
    )
