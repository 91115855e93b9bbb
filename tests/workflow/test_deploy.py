"""The routes by which users deploy the workflow, through the command lines
they run: an environment without the ascflow install (what `--sdm conda`
gives the jobs), the workflow as a Snakemake module of another folder (a
local path, and GitHub as snakedeploy writes it), and pip's choice of
TensorFlow for each platform. The files a deployment reads (environment.yml
against the rule scripts' imports, the licence, the catalog's settings) are
tests/unit/test_deployment_files.py."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from importlib import metadata
from pathlib import Path

import pytest
from support import REPO, TINY_CONFIG, normalized, planned_jobs, snakemake, snakemake_command, tiny_args

MODELS = ["rf_10", "rf_50", "rf_100", "cnn", "lstm"]


def run(command: list, cwd: Path, env: dict | None = None, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(part) for part in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )


def succeeded(result: subprocess.CompletedProcess) -> bool:
    assert result.returncode == 0, f"{result.args}\n{result.stdout}\n{result.stderr}"
    return True


# ---- an environment with the dependencies but not the ascflow install ------


def python_without_ascflow(folder: Path, decoy: bool = False) -> Path:
    """The python of a new virtual environment that reaches this one's
    packages through a path line in a .pth file: that adds the folder, while
    the .pth files inside it (the editable install of ascflow among them)
    are not read. With ``decoy``, an installed ``ascflow`` that fails on
    import stands in for a stale copy of other code."""
    venv.create(folder, with_pip=False, symlinks=os.name != "nt")
    python = folder / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    site = run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], folder)
    site_packages = Path(site.stdout.strip())
    ours = dict.fromkeys(sysconfig.get_paths()[key] for key in ("purelib", "platlib"))
    (site_packages / "dependencies.pth").write_text("".join(f"{path}\n" for path in ours))
    if decoy:
        (site_packages / "ascflow").mkdir()
        (site_packages / "ascflow" / "__init__.py").write_text(
            'raise ImportError("decoy: an installed ascflow ran instead of the workflow\'s own")\n'
        )
    return python


def import_error(python: Path, cwd: Path) -> str:
    """What `import ascflow` says in ``python``'s environment ('' if it imports)."""
    result = run([python, "-c", "import numpy, snakemake, ascflow"], cwd)
    return result.stderr.strip().splitlines()[-1] if result.returncode else ""


def test_jobs_import_the_workflows_own_package_before_an_installed_one(tmp_path):
    """A job imports ascflow from the workflow's own source (what Snakemake
    tracks), even where another copy is installed: PYTHONPATH names it first."""
    python = python_without_ascflow(tmp_path / "env", decoy=True)
    assert "decoy" in import_error(python, tmp_path)
    workdir = tmp_path / "run"
    workdir.mkdir()
    # support.snakemake's command line, with this python.
    command = [python, *snakemake_command(workdir, "generate_default_data", *tiny_args())[1:]]
    assert succeeded(run(command, workdir))
    assert (workdir / "resources/default/X_train.npy").is_file()


# ---- the workflow as a module of another folder ----------------------------


def module_project(folder: Path, snakefile: str, prefix: str) -> Path:
    """A folder using the workflow as a module, as docs/deploy.md shows, with the
    tiny config as its config/config.yaml (where snakedeploy puts it)."""
    (folder / "config").mkdir(parents=True)
    shutil.copy(TINY_CONFIG, folder / "config" / "config.yaml")
    rename = f" as {prefix}*" if prefix else ""
    (folder / "Snakefile").write_text(
        'configfile: "config/config.yaml"\n\n\n'
        f"module ascflow:\n    snakefile:\n        {snakefile}\n    config:\n        config\n\n\n"
        f"use rule * from ascflow{rename}\n"
    )
    return folder


def module_command(python: Path | str, project: Path, *args: str) -> list:
    return [python, "-m", "snakemake", "--directory", project, "--workflow-profile", "none", *args]


@pytest.fixture(scope="module")
def plain_jobs(tmp_path_factory) -> dict[str, int]:
    """The jobs a dry run of the tiny config plans in the checkout's layout."""
    return planned_jobs(snakemake(tmp_path_factory.mktemp("plain"), "-n", *tiny_args()).stdout)


@pytest.mark.parametrize("prefix", ["ascflow_", ""], ids=["renamed", "as-is"])
def test_module_plans_every_job_of_the_workflow(tmp_path, plain_jobs, prefix):
    project = module_project(tmp_path / "project", f'"{REPO / "Snakefile"}"', prefix)
    result = run(module_command(sys.executable, project, "-n", "--cores", "2"), project)
    assert succeeded(result)
    assert planned_jobs(result.stdout) == {f"{prefix}{rule}": count for rule, count in plain_jobs.items()}


def test_module_runs_without_the_package_installed(tmp_path):
    """The whole tiny run, as a module of another folder, with a python whose
    environment has every dependency but not ascflow: the Snakefile and the
    jobs find the package in the workflow's source, wherever the run is."""
    python = python_without_ascflow(tmp_path / "env")
    assert "No module named 'ascflow'" in import_error(python, tmp_path)
    project = module_project(tmp_path / "project", f'"{REPO / "Snakefile"}"', "ascflow_")
    assert succeeded(run(module_command(python, project, "--cores", "2"), project, timeout=900))
    metrics = {path.stem for path in (project / "results/metrics").glob("*.json")}
    assert metrics == set(MODELS)
    assert (project / "reports/report.pdf").stat().st_size > 0
    assert "lstm" in (project / "results/metrics/summary.tsv").read_text()


def committed_copy(source: Path, tag: str) -> Path:
    """A git repository holding the checkout's files as they are now
    (committed or not, git-ignored ones left out), tagged ``tag``."""
    listing = run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], REPO)
    if listing.returncode != 0:
        pytest.skip("not a git checkout")
    for name in filter(None, listing.stdout.split("\0")):
        if (REPO / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, source / name)
    git = ["git", "-c", "user.name=test", "-c", "user.email=test@example.org"]
    for command in (
        ["init", "-q", "-b", "main"],
        ["add", "-A"],
        ["commit", "-q", "-m", "release"],
        ["tag", tag],
    ):
        assert succeeded(run([*git, *command], source))
    return source


def test_module_from_github_as_snakedeploy_deploys_it(tmp_path, plain_jobs):
    """`snakedeploy deploy-workflow <repo-url> <dest> --tag <tag>` writes a
    module whose Snakefile is `github(...)`: Snakemake reads every file from
    its git clone of the repository, so no folder holds the package and the
    installed one serves. Offline: the clone is put where Snakemake keeps it
    (its source cache), so nothing is fetched."""
    cache = tmp_path / "cache"
    clone = cache / "snakemake/snakemake/source-cache/snakemake-git-cache/github.com/ascflow/ascflow"
    source = committed_copy(tmp_path / "source", "v9.9.9")
    assert succeeded(run(["git", "clone", "-q", "--bare", source, clone], tmp_path))
    snakefile = 'github("ascflow/ascflow", path="workflow/Snakefile", tag="v9.9.9")'
    project = module_project(tmp_path / "project", snakefile, "")
    environment = {**os.environ, "XDG_CACHE_HOME": str(cache), "GIT_TERMINAL_PROMPT": "0"}
    result = run(module_command(sys.executable, project, "-n", "--cores", "2"), project, env=environment)
    assert succeeded(result)
    assert planned_jobs(result.stdout) == plain_jobs


def test_snakedeploy_deploys_the_workflow_from_a_local_clone(tmp_path, plain_jobs):
    """`snakedeploy deploy-workflow CLONE DEST --branch main`: DEST gets the
    clone's config and profiles and a workflow/Snakefile that uses the
    clone's workflow/Snakefile (the standardized usage of the Snakemake
    workflow catalog) as a module, which plans every job of the workflow."""
    clone = committed_copy(tmp_path / "ascflow", "v9.9.9")
    dest = tmp_path / "deployed"
    deploy = [Path(sys.executable).parent / "snakedeploy", "deploy-workflow", clone, dest, "--branch", "main"]
    assert succeeded(run(deploy, tmp_path))
    assert (dest / "config/config.yaml").read_text() == (REPO / "config/config.yaml").read_text()
    assert sorted(path.name for path in (dest / "profiles").iterdir()) == sorted(
        path.name for path in (REPO / "profiles").iterdir()
    )
    snakefile = dest / "workflow" / "Snakefile"
    module = snakefile.read_text()
    assert "module ascflow:" in module and "use rule * from ascflow" in module
    # snakedeploy's local provider names the module's Snakefile relative to
    # the clone (its GitHub provider writes github(..., path="workflow/Snakefile")):
    # here it is given where the clone is.
    assert '"workflow/Snakefile"' in module
    snakefile.write_text(module.replace('"workflow/Snakefile"', f'"{clone / "workflow" / "Snakefile"}"'))
    shutil.copy(TINY_CONFIG, dest / "config" / "config.yaml")
    result = run(module_command(sys.executable, dest, "-n", "--cores", "2"), dest)
    assert succeeded(result)
    assert planned_jobs(result.stdout) == plain_jobs


# ---- TensorFlow by platform -------------------------------------------------

#: pip picks wheels for another platform with --platform, but evaluates
#: environment markers for the machine it runs on; this runs pip with the
#: marker environment of the target instead (and the test checks that pip's
#: report shows it), so that the whole resolution is the target's.
PIP_FOR_PLATFORM = """
import json, sys
from pip._vendor.packaging import markers
target = json.loads(sys.argv[1])
markers.default_environment = lambda: dict(target)
from pip._internal.cli.main import main
sys.exit(main(sys.argv[2:]))
"""


def manylinux(machine: str) -> list[str]:
    """pip takes --platform tags literally: glibc 2.28 down to 2.17."""
    return [f"manylinux_2_{minor}_{machine}" for minor in range(28, 16, -1)] + [f"manylinux2014_{machine}"]


PLATFORMS = {
    "macos-arm64": ("Darwin", "darwin", "arm64", ["macosx_12_0_arm64"], "tensorflow"),
    "linux-x86_64": ("Linux", "linux", "x86_64", manylinux("x86_64"), "tensorflow-cpu"),
    "windows-amd64": ("Windows", "win32", "AMD64", ["win_amd64"], "tensorflow-cpu"),
}


@pytest.fixture(scope="module")
def source_only_wheels(tmp_path_factory) -> Path:
    """Wheels of the dependencies published as source archives only (pure
    Python), which pip never builds for another platform."""
    folder = tmp_path_factory.mktemp("wheels")
    requirement = f"connection_pool=={metadata.version('connection_pool')}"  # snakemake's
    pip = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", folder, requirement]
    assert succeeded(run(pip, folder))
    return folder


@pytest.mark.parametrize(
    ("system", "sys_platform", "machine", "tags", "expected"), PLATFORMS.values(), ids=PLATFORMS
)
def test_pip_picks_tensorflow_for_the_platform(
    tmp_path, source_only_wheels, system, sys_platform, machine, tags, expected
):
    """`pip install .` resolved for another platform: the whole dependency
    tree has wheels there, and TensorFlow is the one its markers choose."""
    target = {
        "implementation_name": "cpython",
        "implementation_version": "3.11.9",
        "os_name": "nt" if system == "Windows" else "posix",
        "platform_machine": machine,
        "platform_python_implementation": "CPython",
        "platform_release": "",
        "platform_system": system,
        "platform_version": "",
        "python_full_version": "3.11.9",
        "python_version": "3.11",
        "sys_platform": sys_platform,
    }
    report = tmp_path / "report.json"
    command = [
        *(sys.executable, "-c", PIP_FOR_PLATFORM, json.dumps(target)),
        *("install", "--dry-run", "--ignore-installed", "--quiet", "--report", report),
        *("--only-binary=:all:", "--find-links", source_only_wheels, "--python-version", "3.11"),
        *(part for tag in tags for part in ("--platform", tag)),
        *("--target", tmp_path / "target", REPO),
    ]
    assert succeeded(run(command, tmp_path))
    resolved = json.loads(report.read_text())
    assert resolved["environment"]["platform_machine"] == machine  # the target's markers were in force
    names = {normalized(item["metadata"]["name"]) for item in resolved["install"]}
    assert "ascflow" in names and "snakemake" in names
    assert names & {"tensorflow", "tensorflow-cpu"} == {expected}
