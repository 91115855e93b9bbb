"""Rule make_features: one layout of one split, standardized if configured."""

from ascflow.runner import rule_logging

with rule_logging(snakemake.log[0]) as log:
    import json

    from ascflow.data.validation import load_array
    from ascflow.features import write_layout

    params = snakemake.params
    summary = json.loads(open(snakemake.input.summary).read())
    standardize = params.standardize == "per_band"
    shape = write_layout(
        load_array(snakemake.input.clips),
        snakemake.output.features,
        snakemake.wildcards.layout,
        band_mean=summary["train_band_mean"] if standardize else None,
        band_std=summary["train_band_std"] if standardize else None,
        time_major_method=params.time_major_method or "transpose",
    )
    log.info("wrote %s, shape %s", snakemake.output.features, shape)
