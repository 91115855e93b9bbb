"""Rule compare_models: McNemar's exact test of every two models, Holm-adjusted."""

from ascflow.stages.runtime import rule_logging

with rule_logging(snakemake.log[0]):
    from pathlib import Path

    from ascflow.stages.evaluate import compare_models

    compare_models(
        probabilities_paths={Path(path).stem: path for path in snakemake.input.probabilities},
        labels_path=snakemake.input.labels,
        comparisons_path=snakemake.output.comparisons,
    )
