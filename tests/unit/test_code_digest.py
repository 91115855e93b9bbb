"""The code digest a rule passes as a param: the content of the code it
runs, not where that code lies."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from support import REPO

ENTRY = "ascflow.stages.train:fit_forest_job"


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
