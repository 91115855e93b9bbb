"""ascflow.sources: the code each rule runs, and the path its jobs import it from."""

from __future__ import annotations

import os
from pathlib import Path

from ascflow.sources import PACKAGE_DIR, code_files, import_path


def test_jobs_import_this_package_first_and_keep_the_rest_once():
    own = str(PACKAGE_DIR.parent)
    assert import_path("") == own
    assert import_path(os.pathsep.join(["/a", own, "/b", "/a", ""])) == os.pathsep.join([own, "/a", "/b"])


def test_a_function_entry_point_narrows_its_module_to_what_the_function_uses():
    forest = {Path(path).name for path in code_files("ascflow.stages.train:fit_forest_job")}
    network = {Path(path).name for path in code_files("ascflow.stages.train:fit_network_job")}
    assert "forest.py" in forest and "network.py" not in forest
    assert {"network.py", "keras_build.py", "settings.py"} <= network and "forest.py" not in network
    assert {"train.py", "runtime.py", "errors.py", "files.py"} <= forest & network
