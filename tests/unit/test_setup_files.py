"""The set-up files agree with each other: the README's quick start, .ci/run,
pyproject.toml and environment.yml."""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml
from support import PIP_TO_CONDA, REPO, requirement_name


def quick_start_commands() -> list[str]:
    readme = (REPO / "README.md").read_text()
    section = readme.split("## Quick start", 1)[1]
    block = re.search(r"```(?:bash|sh)?\n(.*?)```", section, re.S)[1]
    return [line.split("#", 1)[0].strip() for line in block.splitlines() if line.split("#", 1)[0].strip()]


def test_readme_quick_start_has_two_commands_and_ci_runs_the_second():
    commands = quick_start_commands()
    assert len(commands) == 2
    assert commands[0].endswith("run") and commands[1].endswith("test")
    ci_commands = [
        line
        for line in (REPO / ".ci/run").read_text().splitlines()
        if line and not line.startswith(("#", "set ", "cd "))
    ]
    assert ci_commands == [commands[1]]


def environment_requirements(environment: dict) -> list[str]:
    """environment.yml's requirements: conda's, then those of its pip: list
    (packages conda-forge does not have)."""
    found = []
    for entry in environment["dependencies"]:
        found += entry["pip"] if isinstance(entry, dict) else [entry]
    return found


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    pip_names = {PIP_TO_CONDA.get(n, n) for n in map(requirement_name, project["dependencies"])}
    environment = yaml.safe_load((REPO / "environment.yml").read_text())
    conda_names = {requirement_name(d) for d in environment_requirements(environment)}
    assert conda_names - {"python", "pip"} == pip_names
    assert "conda-forge" in environment["channels"]


def test_pip_and_conda_version_bounds_agree():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    environment = yaml.safe_load((REPO / "environment.yml").read_text())
    conda = {
        requirement_name(d): d[len(requirement_name(d)) :] for d in environment_requirements(environment)
    }
    for requirement in project["dependencies"]:
        name = requirement_name(requirement)
        bounds = requirement.split("#")[0].split(";")[0][len(name) :].strip()  # markers aside
        assert conda[PIP_TO_CONDA.get(name, name)] == bounds, name


def test_layer_contract_holds():
    """No module imports a layer above its own ([tool.importlinter] in pyproject.toml)."""
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint_imports)], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout  # the package's layers, and the benchmark over the package
