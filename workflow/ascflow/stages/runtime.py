"""What every rule script needs around its stage: the log, the threads, and
the stage's request built from Snakemake's object.

A rule script is one call, ``run_stage(snakemake, "train:fit_forest_job")``:
it opens :func:`rule_logging` before any heavy import, so that a failure
anywhere leaves its traceback in ``logs/<rule>/...``; builds the stage
function's request (:func:`request_from`); and calls the function. A problem
the user can fix (:class:`AscflowError`) is written as its one sentence to
the log and to the terminal, and the script exits non-zero so that Snakemake
removes the job's partial outputs.

A stage function takes one request: a frozen dataclass whose fields
``inputs``, ``outputs`` and ``settings`` are dataclasses named after the
rule's named inputs, outputs and params (or wildcards), and ``runtime``
(:class:`Runtime`). A new setting is a param of the rule and a field of its
settings type: the script does not change. A field whose metadata has
``parse`` gets its item typed by that function, given the part's other items
too (a training run's settings are parsed by its model's family).
"""

from __future__ import annotations

import dataclasses
import importlib
import logging
import os
import signal
import sys
import typing
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


@dataclasses.dataclass(frozen=True)
class Runtime:
    """What a job runs with besides its files and settings."""

    #: The threads it may use: the rule's, never more than the CPUs.
    threads: int = 1
    #: The workflow's folder (``workflow/``), whose git checkout the report names.
    workflow_dir: str = ""


def _named(items) -> dict:
    """Snakemake's named inputs, outputs, params or wildcards as a dict;
    lists (several files under one name) as lists."""
    return {name: list(value) if isinstance(value, list) else value for name, value in items.items()}


def _typed(value, annotation):
    """A wildcard's text as the number its field asks for; one file where
    the field asks for a list of them."""
    if annotation is int and isinstance(value, str):
        return int(value)
    if typing.get_origin(annotation) is list and isinstance(value, str):
        return [value]
    return value


def build_part(part_type: type, source: dict):
    """One part of a request (``inputs``, ...) from Snakemake's named items:
    each field from the item of its name; a field marked ``rest`` takes every
    item no other field names (the figures of the report, by key)."""
    hints = typing.get_type_hints(part_type)
    fields = dataclasses.fields(part_type)
    named = {field.name for field in fields}
    values = {}
    for field in fields:
        if field.metadata.get("rest"):
            values[field.name] = {name: value for name, value in source.items() if name not in named}
        elif field.name in source:
            parse = field.metadata.get("parse")
            value = source[field.name]
            values[field.name] = parse(value, source) if parse else _typed(value, hints[field.name])
    return part_type(**values)


def request_from(snakemake, request_type: type):
    """The request of ``request_type`` for the job Snakemake runs."""
    sources = {
        "inputs": _named(snakemake.input),
        "outputs": _named(snakemake.output),
        "settings": {**_named(snakemake.wildcards), **_named(snakemake.params)},
    }
    hints = typing.get_type_hints(request_type)
    parts = {
        field.name: build_part(hints[field.name], sources[field.name])
        for field in dataclasses.fields(request_type)
        if field.name in sources
    }
    runtime = Runtime(usable_threads(snakemake.threads), str(Path(snakemake.scriptdir).parent))
    return request_type(**parts, runtime=runtime)


def run_stage(snakemake, stage: str) -> None:
    """Run one rule's stage function (``"module:function"`` of
    ``ascflow.stages``) on its request, with the rule's log open first."""
    module, _, function = stage.partition(":")
    with rule_logging(snakemake.log[0]):
        run = getattr(importlib.import_module(f"ascflow.stages.{module}"), function)
        request_type = next(iter(typing.get_type_hints(run).values()))
        run(request_from(snakemake, request_type))
