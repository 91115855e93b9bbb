"""Rule record_run: this run's models appended to the history of runs."""

from ascflow.stages.runtime import run_stage

run_stage(snakemake, "history:record_run_job")
