"""Running this checkout's workflow from outside Snakemake (tests, the benchmark)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

#: The repository root: where the workflow's Snakefile is. This folder is
#: never installed, so its place in the checkout is fixed.
REPOSITORY = Path(__file__).resolve().parent.parent
SNAKEFILE = REPOSITORY / "Snakefile"
CONFIG = REPOSITORY / "config" / "config.yaml"


def snakemake_command(workdir: str | os.PathLike, *args: str) -> list[str]:
    """The command line that runs this workflow in ``workdir``.

    Through the command line, not the Python API, which changes between
    releases; ``--workflow-profile none`` keeps profiles/default out. Put
    targets before ``--config`` and ``--configfile``: each takes every
    argument that follows it.
    """
    return [
        sys.executable,
        "-m",
        "snakemake",
        "--snakefile",
        str(SNAKEFILE),
        "--directory",
        str(workdir),
        "--workflow-profile",
        "none",
        *args,
    ]
