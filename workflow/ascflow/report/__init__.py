"""The deliverable report: figures, Markdown and PDF from the workflow's results.

``gather`` reads the results, ``findings`` draws the conclusions, ``outputs``
names the figure files and ``figures`` draws them, ``document`` lays out what
the report says as ``blocks``, ``markdown`` and ``pdf`` render those same
blocks, and ``build`` runs the two. Nothing here imports TensorFlow or
Snakemake, so a report takes seconds; this module and ``outputs`` import
nothing heavy, as the rules import them when Snakemake parses the workflow.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def source_files() -> list[str]:
    """The code the report is made from: this package and the reference's
    figures. The report rules take these as inputs, see workflow/rules/report.smk."""
    return sorted(str(path) for path in [*PACKAGE_DIR.glob("*.py"), PACKAGE_DIR.parent / "reference.py"])
