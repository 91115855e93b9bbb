"""Glue for the rule scripts: logging into the rule's log and clean failure.

A rule script opens :func:`rule_logging` before its heavy imports, so that a
failure anywhere leaves its traceback in ``logs/<rule>/...``. A problem the
user can fix (:class:`AscflowError`) is written as its one sentence to the log
and to the terminal, and the script exits non-zero so that Snakemake removes
the job's partial outputs.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from contextlib import contextmanager
from pathlib import Path

from ascflow.errors import AscflowError

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


@contextmanager
def rule_logging(log_path: str | os.PathLike):
    """Send stderr (Python's and the C libraries') and ``logging`` to the log."""
    Path(log_path).parent.mkdir(parents=True, exist_ok=True)
    terminal = os.fdopen(os.dup(2), "w", buffering=1)
    log_file = open(log_path, "w", buffering=1)
    os.dup2(log_file.fileno(), 2)  # TensorFlow's C++ messages land here too
    sys.stderr = log_file
    logging.basicConfig(stream=log_file, level=logging.INFO, format=LOG_FORMAT, force=True)
    logger = logging.getLogger("ascflow")
    try:
        yield logger
    except AscflowError as error:
        logger.error("%s", error)
        print(f"ascflow: {error}", file=terminal)
        sys.exit(1)
    finally:
        log_file.flush()


def write_json_atomic(path: str | os.PathLike, payload: dict) -> None:
    """Write JSON via a temporary file and a rename: never half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(payload, indent=2, sort_keys=False) + "\n")
    temporary.replace(path)


#: The repository root: where the workflow's Snakefile is.
REPOSITORY = Path(__file__).resolve().parents[2]


def snakemake_command(workdir: str | os.PathLike, *args: str) -> list[str]:
    """The command line that runs this workflow in ``workdir`` from outside
    Snakemake (tests, the benchmark).

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
        str(REPOSITORY / "Snakefile"),
        "--directory",
        str(workdir),
        "--workflow-profile",
        "none",
        *args,
    ]
