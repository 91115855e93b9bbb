"""Rule evaluate_model: score one model on the test set, write its metrics."""

from ascflow.stages.runtime import rule_logging

with rule_logging(snakemake.log[0]):
    from ascflow.stages.evaluate import evaluate_job
    from ascflow.stages.runtime import as_list

    evaluate_job(
        model_name=snakemake.wildcards.model,
        model_paths=as_list(snakemake.input.model),
        info_paths=as_list(snakemake.input.info),
        selection_path=snakemake.input.get("selection"),
        features_path=snakemake.input.features,
        labels_path=snakemake.input.labels,
        summary_path=snakemake.input.summary,
        metrics_path=snakemake.output.metrics,
        probabilities_path=snakemake.output.probabilities,
        threads=snakemake.threads,
        gpu=snakemake.params.gpu,
    )
