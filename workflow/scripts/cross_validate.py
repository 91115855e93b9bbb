"""Rule cross_validate: one model on one fold of the training set."""

from ascflow.stages.runtime import rule_logging

with rule_logging(snakemake.log[0]):
    from ascflow.stages.train import fit_fold_job

    fit_fold_job(
        model_name=snakemake.wildcards.model,
        fold=int(snakemake.wildcards.fold),
        n_folds=snakemake.params.n_folds,
        features_path=snakemake.input.features,
        labels_path=snakemake.input.labels,
        groups_path=snakemake.input.groups,
        summary_path=snakemake.input.summary,
        fold_path=snakemake.output.fold,
        settings=dict(snakemake.params.settings),
        validation=dict(snakemake.params.validation),
        seed=snakemake.params.seed,
        threads=snakemake.threads,
        work_dir=snakemake.params.work_dir,
        gpu=snakemake.params.gpu,
        standardize=snakemake.params.standardize,
        time_major=snakemake.params.time_major,
    )
