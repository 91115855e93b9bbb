"""Shared fixtures: one tiny end-to-end run that many tests read. The
helpers the tests import are in support.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from support import snakemake, tiny_args

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory) -> Path:
    """The whole workflow once, on the tiny config; read-only for tests
    (copy it with copy_run before changing anything)."""
    workdir = tmp_path_factory.mktemp("tiny_run")
    snakemake(workdir, *tiny_args())
    return workdir


def pytest_collection_modifyitems(items):
    """The Slurm tests first. Their session fixture starts the local test
    cluster, which then stays up until the session ends; once Slurm's client
    is installed (as it is on a machine that ran them before), every
    snakemake start waits about 10 s for a controller otherwise (the Slurm
    plugin's start-up probe), in every test that runs before them."""
    items.sort(key=lambda item: item.get_closest_marker("slurm") is None)
