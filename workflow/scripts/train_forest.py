"""Rule train_forest: one random forest on the flattened training clips."""

from ascflow.runner import rule_logging

with rule_logging(snakemake.log[0]):
    from ascflow.models.jobs import fit_forest_job

    fit_forest_job(
        features_path=snakemake.input.features,
        labels_path=snakemake.input.labels,
        model_path=snakemake.output.model,
        info_path=snakemake.output.info,
        n_estimators=snakemake.params.n_estimators,
        max_features=snakemake.params.max_features,
        min_samples_leaf=snakemake.params.min_samples_leaf,
        seed=snakemake.params.seed,
        threads=snakemake.threads,
        standardize=snakemake.params.standardize,
    )
