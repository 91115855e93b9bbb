"""Rule refit_network: the chosen network once more, on the whole training set."""

from ascflow.stages.runtime import rule_logging

with rule_logging(snakemake.log[0]):
    from ascflow.stages.train import refit_network_job

    refit_network_job(
        model_name=snakemake.wildcards.model,
        chosen_path=snakemake.input.chosen,
        features_path=snakemake.input.features,
        labels_path=snakemake.input.labels,
        summary_path=snakemake.input.summary,
        model_path=snakemake.output.model,
        history_path=snakemake.output.history,
        info_path=snakemake.output.info,
        seed=snakemake.params.seed,
        threads=snakemake.threads,
        work_dir=snakemake.params.work_dir,
        standardize=snakemake.params.standardize,
        settings_digest=snakemake.params.settings_digest,
        gpu=snakemake.params.gpu,
    )
