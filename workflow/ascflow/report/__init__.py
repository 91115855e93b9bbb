"""The deliverable report: figures, Markdown and PDF from the workflow's results.

``gather`` reads the results; ``sections`` hold each section's conclusions
(against the study's figures in ``reference``) and lay it out as ``blocks``,
and ``document`` puts the sections in order; ``outputs`` names the figure
files and ``figures`` draws them; ``markdown`` and ``pdf`` render those same
blocks, and ``build`` runs the two. Nothing here imports TensorFlow or
Snakemake, so a report takes seconds; this module and ``outputs`` import
nothing heavy, as the rules import them when Snakemake parses the workflow.
"""
