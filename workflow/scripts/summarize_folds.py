"""Rule summarize_folds: one table of every model's fold scores."""

from ascflow.stages.runtime import rule_logging

with rule_logging(snakemake.log[0]):
    from ascflow.stages.evaluate import summarize_folds

    summarize_folds(fold_paths=list(snakemake.input.folds), folds_path=snakemake.output.folds)
