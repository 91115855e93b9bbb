"""Rule compare_models: McNemar's exact test of every two models, Holm-adjusted."""

from ascflow.stages.runtime import run_stage

run_stage(snakemake, "evaluate:compare_models")
