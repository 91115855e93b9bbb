"""ascflow: acoustic scene classification, from feature arrays to a report.

Run `snakemake --cores 8`; see README.md. The stages live in workflow/rules/.
"""

from snakemake.utils import min_version

min_version("9.0")


configfile: "config/config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/audio.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/features.smk"
include: "workflow/rules/train.smk"
include: "workflow/rules/evaluate.smk"
include: "workflow/rules/count.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/predict.smk"


# Cheap jobs that a cluster run keeps on the submit host.
localrules:
    list_audio,
    list_predict_recordings,
    predict,
    summarize_metrics,
    render_report,


rule all:
    default_target: True
    input:
        get_final_output(),


# A set-threads or set-resources entry for no rule, or a resource nothing
# reads, stops the run instead of being ignored.
check_profile()


# On Slurm, a job that no node of its partition can run stops the run before
# anything is submitted, instead of pending for ever.
onstart:
    check_cluster_requests()
