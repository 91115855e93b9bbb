"""Rule export_model: one trained model as a bundle that travels."""

from ascflow.stages.runtime import rule_logging

with rule_logging(snakemake.log[0]):
    from ascflow.stages.export import export_job

    export_job(
        model_name=snakemake.wildcards.model,
        model_path=snakemake.input.model,
        info_path=snakemake.input.info,
        summary_path=snakemake.input.summary,
        bundle_dir=snakemake.output.bundle,
    )
