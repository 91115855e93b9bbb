"""Rule refuse_unknown_model: a target naming a model this config does not hold, in one sentence."""

from ascflow.stages.runtime import run_stage

run_stage(snakemake, "refuse:refuse_unknown_model")
