"""Running this checkout's workflow from outside Snakemake, as a user does."""

from __future__ import annotations

import os
import sys
from pathlib import Path

#: The repository root: where the workflow's Snakefile is. This folder is
#: never installed, so its place in the checkout is fixed.
REPOSITORY = Path(__file__).resolve().parent.parent
SNAKEFILE = REPOSITORY / "Snakefile"
CONFIG = REPOSITORY / "config" / "config.yaml"
DEFAULT_PROFILE = REPOSITORY / "profiles" / "default"


def snakemake_command(workdir: str | os.PathLike, *args: str) -> list[str]:
    """The command line that runs this workflow in ``workdir`` as the
    README's `snakemake --cores 8` does from the checkout: with
    profiles/default, whose CPU-share limit keeps the running threads within
    the CPUs. Put targets before ``--config`` and ``--configfile``: each
    takes every argument that follows it.
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
        str(DEFAULT_PROFILE),
        *args,
    ]
