"""The application layer: one module per stage of the workflow.

Each function here is what one rule does, with paths in and files out: the
rule scripts under ``workflow/scripts`` read the ``snakemake`` object and call
one of them. They read and write files and call the domain modules
(``ascflow.data``, ``ascflow.features``, ``ascflow.models``,
``ascflow.evaluation``, ``ascflow.report``), which never import this package.
"""
