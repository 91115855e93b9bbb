"""Rule teacher_probabilities: the teachers' averaged probabilities of every training clip."""

from ascflow.stages.runtime import run_stage

run_stage(snakemake, "distill:teacher_probabilities_job")
