"""Rule measure_deployed: score a network's exported runtimes on the test set, count its int8 memory."""

from ascflow.stages.runtime import run_stage

run_stage(snakemake, "deployed:measure_deployed_job")
