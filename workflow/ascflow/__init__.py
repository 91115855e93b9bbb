"""ascflow: the logic behind the acoustic scene classification workflow.

Nothing in this package imports Snakemake, so every function runs in a plain
test; the rule scripts under ``workflow/scripts`` are thin wrappers.
"""

from ascflow.errors import AscflowError

__all__ = ["AscflowError"]
