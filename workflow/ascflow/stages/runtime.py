"""What every rule script needs around its stage: the log and the threads.

A rule script opens :func:`rule_logging` before its heavy imports, so that a
failure anywhere leaves its traceback in ``logs/<rule>/...``. A problem the
user can fix (:class:`AscflowError`) is written as its one sentence to the log
and to the terminal, and the script exits non-zero so that Snakemake removes
the job's partial outputs.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
from contextlib import contextmanager
from pathlib import Path

from ascflow.errors import AscflowError
from ascflow.threads import usable_cpus

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
    # Snakemake stops its jobs with SIGTERM (on Ctrl-C, or when it is
    # terminated itself). Python's default would end the process on the spot;
    # as an exception, every `finally` runs, so no half-written file survives
    # under a temporary name.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        yield logger
    except AscflowError as error:
        logger.error("%s", error)
        print(f"ascflow: {error}", file=terminal)
        sys.exit(1)
    finally:
        log_file.flush()


def _exit_on_signal(signum, frame):
    raise SystemExit(128 + signum)


def usable_threads(declared: int) -> int:
    """The rule's threads, but never more than the CPUs this process may use
    (``--cores 8`` on a two-core machine must not run eight threads a job)."""
    return max(1, min(declared, usable_cpus()))


def as_list(paths) -> list[str]:
    """A rule's named input as a list of paths: Snakemake gives one path as
    text and several as a list."""
    return [paths] if isinstance(paths, str) else [str(path) for path in paths]
