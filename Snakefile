"""ascflow: acoustic scene classification, from feature arrays to a report.

Run `snakemake --cores 8`; see README.md. The stages live in workflow/rules/.
"""

from snakemake.utils import min_version

min_version("9.0")


configfile: "config/config.yaml"


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/features.smk"


rule all:
    default_target: True
    input:
        get_final_output(),
