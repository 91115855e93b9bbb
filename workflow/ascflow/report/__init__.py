"""The deliverable report: figures, Markdown and PDF from the workflow's results.

``gather`` reads the results, ``findings`` draws the conclusions (against
the study's figures in ``reference``), ``outputs``
names the figure files and ``figures`` draws them, ``document`` lays out what
the report says as ``blocks``, ``markdown`` and ``pdf`` render those same
blocks, and ``build`` runs the two. Nothing here imports TensorFlow or
Snakemake, so a report takes seconds; this module and ``outputs`` import
nothing heavy, as the rules import them when Snakemake parses the workflow.
"""
