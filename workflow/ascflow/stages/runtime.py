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
settings type: the script does not change. A param that no field takes is a
bug (a misspelt name would otherwise leave the field at its default), unless
it is one of :data:`TRACKING_PARAMS`; a wildcard no field takes is only part
of the output's path. A field whose metadata has ``parse`` gets its item
typed by that function, given the part's other items too (a training run's
settings are parsed by its model's family).
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
#: The logger whose lines the terminal shows while a job runs (and its log keeps).
PROGRESS = "ascflow.progress"


def progress_log(label: str) -> logging.LoggerAdapter:
    """A logger for one job's progress lines, each beginning with ``label``
    (the model, the chunk) so that lines of parallel jobs can be told apart."""

    class Labelled(logging.LoggerAdapter):
        def process(self, msg, kwargs):
            return f"{label}: {msg}", kwargs

    return Labelled(logging.getLogger(PROGRESS))


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
    # Progress lines reach the terminal as well as the log: a long training
    # says how far it is instead of printing nothing for minutes.
    to_terminal = logging.StreamHandler(terminal)
    to_terminal.setFormatter(logging.Formatter("%(message)s"))
    logging.getLogger(PROGRESS).handlers[:] = [to_terminal]
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


#: Params that rules pass only so that Snakemake re-runs their jobs when
#: these change, and that no stage reads: the digest of the rule's code (every
#: rule), of a folder's listing, of the recordings, clips or data files a job
#: reads.
TRACKING_PARAMS = frozenset({"code", "listing", "recordings", "clips", "data_digests"})


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


def unknown_params(request_type: type, names) -> list[str]:
    """The params among ``names`` that no field of the request's settings
    takes, less :data:`TRACKING_PARAMS`, sorted."""
    settings = typing.get_type_hints(request_type).get("settings")
    fields = dataclasses.fields(settings) if settings else ()
    if any(field.metadata.get("rest") for field in fields):
        return []
    return sorted(set(names) - {field.name for field in fields} - TRACKING_PARAMS)


def _check_params(job: str, request_type: type, params) -> None:
    """A param that no field of the request's settings takes is a bug: one
    exception naming the job's rule and stage, the names and the fields."""
    unknown = unknown_params(request_type, params)
    if not unknown:
        return
    settings = typing.get_type_hints(request_type).get("settings")
    if settings is None:
        taker = f"{request_type.__name__}, which takes no settings"
    else:
        known = ", ".join(field.name for field in dataclasses.fields(settings))
        taker = f"{settings.__name__} (the settings of {request_type.__name__}), whose fields are {known}"
    raise TypeError(
        f"{job}: param {', '.join(map(repr, unknown))} is taken by no field of {taker}; "
        f"the params passed only for Snakemake to track are {', '.join(sorted(TRACKING_PARAMS))}"
    )


def request_from(snakemake, request_type: type, stage: str = ""):
    """The request of ``request_type`` for the job Snakemake runs (of
    ``stage``, ``"module:function"``, named in an error); a param that no
    field takes raises (see :data:`TRACKING_PARAMS`)."""
    params = _named(snakemake.params)
    job = f"rule {getattr(snakemake, 'rule', '?')}" + (f" (stage {stage})" if stage else "")
    _check_params(job, request_type, params)
    sources = {
        "inputs": _named(snakemake.input),
        "outputs": _named(snakemake.output),
        "settings": {**_named(snakemake.wildcards), **params},
    }
    hints = typing.get_type_hints(request_type)
    parts = {
        field.name: build_part(hints[field.name], sources[field.name])
        for field in dataclasses.fields(request_type)
        if field.name in sources
    }
    runtime = Runtime(usable_threads(snakemake.threads), str(Path(snakemake.scriptdir).parent))
    return request_type(**parts, runtime=runtime)


def stage_function(stage: str):
    """The function of a stage (``"module:function"`` of ``ascflow.stages``)
    and the type of the one request it takes."""
    module, _, function = stage.partition(":")
    run = getattr(importlib.import_module(f"ascflow.stages.{module}"), function)
    return run, next(iter(typing.get_type_hints(run).values()))


def run_stage(snakemake, stage: str) -> None:
    """Run one rule's stage function (``"module:function"`` of
    ``ascflow.stages``) on its request, with the rule's log open first."""
    with rule_logging(snakemake.log[0]):
        run, request_type = stage_function(stage)
        run(request_from(snakemake, request_type, stage))
