"""Shared fixtures: one tiny end-to-end run that many tests read, and the
local Slurm test cluster. The helpers the tests import are in support.py
(and, for the Slurm runs, slurm_runs.py)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import time
from pathlib import Path

import pytest
from support import AUGMENT, CROSS_VALIDATED, CURVE, REPO, snakemake, tiny_args, variant_config

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

START_CLUSTER = REPO / "ci" / "slurm" / "start-cluster.sh"
STOP_CLUSTER = REPO / "ci" / "slurm" / "stop-cluster.sh"


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory) -> Path:
    """The whole workflow once, on the tiny config; read-only for tests
    (copy it with copy_run before changing anything)."""
    workdir = tmp_path_factory.mktemp("tiny_run")
    snakemake(workdir, *tiny_args())
    return workdir


@pytest.fixture(scope="session")
def augmented_curve_run(tmp_path_factory) -> Path:
    """The whole tiny workflow with augmentation and a learning curve, which
    a user may well ask for together: one run that test_augment.py and
    test_learning_curve.py both read (read-only). The config it ran is the
    folder's ``variant.yaml``."""
    workdir = tmp_path_factory.mktemp("augmented_curve")
    config = variant_config(workdir, augment=AUGMENT, **CURVE)
    snakemake(workdir, "--configfile", str(config), "--cores", "2")
    return workdir


@pytest.fixture(scope="session")
def cross_validated_run(tmp_path_factory) -> Path:
    """The whole tiny workflow with two grouped folds and a refit whose
    epochs the folds choose (the tiny held-out part is too small): one run
    that test_cross_validated_run.py and test_epoch_choice.py both read
    (read-only), run with :data:`CROSS_VALIDATED`'s arguments."""
    workdir = tmp_path_factory.mktemp("cross_validated")
    snakemake(workdir, *CROSS_VALIDATED)
    return workdir


def _why_no_cluster() -> str | None:
    if not Path("/etc/debian_version").is_file():
        return "the local Slurm test cluster needs Debian (ci/slurm/start-cluster.sh uses apt-get)"
    if os.geteuid() != 0:
        return "the local Slurm test cluster needs root (it installs packages and starts daemons)"
    if importlib.util.find_spec("snakemake_executor_plugin_slurm") is None:
        return "snakemake-executor-plugin-slurm is not installed (pip install -e '.[test]')"
    return None


# Session scope: the cluster stops when the whole test session ends, not when
# the module that used it first does. Once Slurm's client is installed, every Snakemake start
# runs the plugin's `scontrol show config` probe, which waits 10 s for a
# controller that was stopped; the modules after this one would pay that on
# every Snakemake call.
@pytest.fixture(scope="session")
def slurm_cluster():
    """A running one-node cluster; stopped afterwards if this fixture started it."""
    reason = _why_no_cluster()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set, but {reason}")
        pytest.skip(reason)
    started = time.monotonic()
    try:
        start = subprocess.run([str(START_CLUSTER)], capture_output=True, text=True, timeout=900, check=False)
    except subprocess.TimeoutExpired as error:
        pytest.fail(f"{START_CLUSTER} did not finish in {error.timeout}s")
    if start.returncode != 0:
        pytest.fail(f"{START_CLUSTER} failed:\n{start.stdout}\n{start.stderr}")
    print(f"Slurm test cluster up in {time.monotonic() - started:.0f}s")
    # A cluster that was up before (a developer's) is left running.
    was_running = "all daemons already running" in start.stdout
    yield
    if not was_running:
        subprocess.run([str(STOP_CLUSTER)], capture_output=True, text=True, timeout=300, check=False)


def pytest_collection_modifyitems(items):
    """The Slurm tests first. Their session fixture starts the local test
    cluster, which then stays up until the session ends; once Slurm's client
    is installed (as it is on a machine that ran them before), every
    snakemake start waits about 10 s for a controller otherwise (the Slurm
    plugin's start-up probe), in every test that runs before them."""
    items.sort(key=lambda item: item.get_closest_marker("slurm") is None)
