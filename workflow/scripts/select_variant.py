"""Rule select_variant: rank a model's sweep variants on validation data, keep the best."""

from ascflow.stages.runtime import rule_logging

with rule_logging(snakemake.log[0]):
    from ascflow.stages.runtime import as_list
    from ascflow.stages.sweep import select_variant_job

    select_variant_job(
        model_name=snakemake.wildcards.model,
        info_paths=as_list(snakemake.input.infos),
        fold_paths=as_list(snakemake.input.folds),
        selection_path=snakemake.output.selection,
        variants=dict(snakemake.params.variants),
        settings_digest=snakemake.params.settings_digest,
    )
