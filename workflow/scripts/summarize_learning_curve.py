"""Rule summarize_learning_curve: results/learning_curve.tsv and its figure."""

from ascflow.stages.runtime import run_stage

run_stage(snakemake, "learning_curve:summarize_learning_curve")
