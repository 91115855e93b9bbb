"""Rule train_forest: one random forest on the flattened training clips."""

from ascflow.stages.runtime import rule_logging

with rule_logging(snakemake.log[0]):
    from ascflow.stages.train import fit_forest_job

    fit_forest_job(
        features_path=snakemake.input.features,
        labels_path=snakemake.input.labels,
        summary_path=snakemake.input.summary,
        model_path=snakemake.output.model,
        info_path=snakemake.output.info,
        settings=dict(snakemake.params.settings),
        seed=snakemake.params.seed,
        threads=snakemake.threads,
        standardize=snakemake.params.standardize,
        settings_digest=snakemake.params.settings_digest,
        validation=dict(snakemake.params.validation) or None,
        groups_path=snakemake.input.get("groups"),
    )
