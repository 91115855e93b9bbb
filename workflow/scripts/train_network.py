"""Rule train_network: the CNN or the LSTM, resumable after a kill."""

from ascflow.stages.runtime import rule_logging

with rule_logging(snakemake.log[0]):
    from ascflow.stages.train import fit_network_job

    fit_network_job(
        model_name=snakemake.wildcards.model,
        features_path=snakemake.input.features,
        labels_path=snakemake.input.labels,
        groups_path=snakemake.input.groups,
        summary_path=snakemake.input.summary,
        model_path=snakemake.output.model,
        history_path=snakemake.output.history,
        info_path=snakemake.output.info,
        settings=dict(snakemake.params.settings),
        validation=dict(snakemake.params.validation),
        seed=snakemake.params.seed,
        threads=snakemake.threads,
        work_dir=snakemake.params.work_dir,
        standardize=snakemake.params.standardize,
        settings_digest=snakemake.params.settings_digest,
        gpu=snakemake.params.gpu,
        tensorboard_dir=snakemake.params.tensorboard_dir or None,
        test_features_path=snakemake.input.get("test_features"),
        test_labels_path=snakemake.input.get("test_labels"),
    )
