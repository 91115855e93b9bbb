"""Rule predict_model: classify predict_dir with one model's bundle."""

from ascflow.stages.runtime import rule_logging

with rule_logging(snakemake.log[0]):
    from ascflow.stages.predict import predict_job

    source = snakemake.input
    predict_job(
        model_name=snakemake.wildcards.model,
        bundle_dir=source.bundle,
        predict_dir=snakemake.params.predict_dir,
        table_path=snakemake.output.table,
        facts_path=snakemake.output.facts,
        threads=snakemake.threads,
        gpu=snakemake.params.gpu,
        manifest_path=source.get("manifest"),
        chunk_paths=list(source.get("chunks", [])),
        clips_path=source.get("clips"),
        meta_path=source.get("meta"),
    )
