"""ascflow: acoustic scene classification, from feature arrays to a report.

Run `snakemake --cores 8`; see README.md. The workflow is workflow/Snakefile,
where the Snakemake workflow catalog and snakedeploy look for it; this file
lets `snakemake` find it from the repository root. It is included as
Snakemake includes a main Snakefile, keeping its default target (rule all),
which an `include:` directive would drop.
"""

workflow.include("workflow/Snakefile", overwrite_default_target=True)
