"""ascflow.sources: the code each rule runs, the digest a rule passes as a
param (the content of that code, not where it lies), and the path its jobs
import it from."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from ascflow.sources import PACKAGE_DIR, code_files, import_path
from support import REPO

ENTRY = "ascflow.stages.train:fit_forest_job"


def test_a_function_entry_point_narrows_its_module_to_what_the_function_uses():
    forest = {Path(path).name for path in code_files("ascflow.stages.train:fit_forest_job")}
    network = {Path(path).name for path in code_files("ascflow.stages.train:fit_network_job")}
    assert "forest.py" in forest and "network.py" not in forest
    assert {"network.py", "keras_build.py", "settings.py"} <= network and "forest.py" not in network
    assert {"train.py", "runtime.py", "errors.py", "files.py"} <= forest & network


def digest_of(package_parent: Path) -> str:
    """code_digest(ENTRY) as the package under ``package_parent`` computes it."""
    code = f"from ascflow.sources import code_digest; print(code_digest({ENTRY!r}))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(package_parent)},
        timeout=60,
    )
    return result.stdout.strip()


def test_code_digest_follows_the_code_not_its_place(tmp_path):
    ignore = shutil.ignore_patterns("__pycache__")
    for place in ("a", "b/deeper"):
        shutil.copytree(REPO / "workflow/ascflow", tmp_path / place / "ascflow", ignore=ignore)
    first = digest_of(tmp_path / "a")
    assert len(first) == 64 and digest_of(tmp_path / "b/deeper") == first

    network = tmp_path / "b/deeper/ascflow/models/network.py"  # not the forests' code
    network.write_text(network.read_text() + "\n# an edit\n")
    assert digest_of(tmp_path / "b/deeper") == first
    forest = tmp_path / "b/deeper/ascflow/models/forest.py"
    forest.write_text(forest.read_text() + "\n# an edit\n")
    assert digest_of(tmp_path / "b/deeper") != first


def test_jobs_import_this_package_first_and_keep_the_rest_once():
    own = str(PACKAGE_DIR.parent)
    assert import_path("") == own
    assert import_path(os.pathsep.join(["/a", own, "/b", "/a", ""])) == os.pathsep.join([own, "/a", "/b"])
