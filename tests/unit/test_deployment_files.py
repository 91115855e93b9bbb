"""What a deployment reads, without running it: every import of the rule
scripts in environment.yml, the licence and the workflow catalog's
settings. The deployments themselves are tests/workflow/test_deploy.py."""

from __future__ import annotations

import ast
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import yaml
from support import PIP_TO_CONDA, REPO, normalized, requirement_name

# ---- every import of the rule scripts in environment.yml -------------------

PACKAGE_DIR = REPO / "workflow" / "ascflow"


def module_file(module: str) -> Path | None:
    parts = module.split(".")
    if parts[0] != "ascflow":
        return None
    base = PACKAGE_DIR.joinpath(*parts[1:])
    return next((path for path in (base.with_suffix(".py"), base / "__init__.py") if path.is_file()), None)


def imports(path: Path) -> set[str]:
    """Every module ``path`` imports, at its top or inside functions; for
    ``from a import b``, both ``a`` and ``a.b``; for a rule script's
    ``run_stage(snakemake, "train:fit_forest_job")``, the stage's module."""
    names = set()
    package = ".".join(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts[:-1])
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "run_stage":
            names.add("ascflow.stages." + node.args[1].value.partition(":")[0])
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative, inside the package
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, *filter(None, [node.module])])
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def third_party_imports() -> dict[str, set[str]]:
    """The top-level modules outside ascflow and the standard library that
    the rule scripts import, directly or through ascflow, with the files that
    import each."""
    found: dict[str, set[str]] = {}
    pending = sorted((REPO / "workflow" / "scripts").glob("*.py"))
    seen = set(pending)
    while pending:
        path = pending.pop()
        for name in imports(path):
            top = name.split(".")[0]
            if top == "ascflow":
                parts = name.split(".")
                for end in range(1, len(parts) + 1):  # a.b.c runs a/__init__ and a/b/__init__ too
                    file = module_file(".".join(parts[:end]))
                    if file is not None and file not in seen:
                        seen.add(file)
                        pending.append(file)
            elif top and top not in sys.stdlib_module_names:
                found.setdefault(top, set()).add(str(path.relative_to(REPO)))
    return found


def test_environment_yml_holds_every_import_of_the_rule_scripts():
    environment = yaml.safe_load((REPO / "environment.yml").read_text())
    # conda's requirements and those of its pip: list (ai-edge-litert is on PyPI only).
    pip = [d for entry in environment["dependencies"] if isinstance(entry, dict) for d in entry["pip"]]
    conda = {normalized(requirement_name(d)) for d in environment["dependencies"] if isinstance(d, str)}
    conda |= {normalized(requirement_name(d)) for d in pip}
    to_conda = {normalized(pip): normalized(conda_name) for pip, conda_name in PIP_TO_CONDA.items()}
    providers = metadata.packages_distributions()
    found = third_party_imports()
    assert {"numpy", "keras", "sklearn", "matplotlib"} <= found.keys(), found  # the walk reaches them
    # An optional extra's packages (mlflow: the tracking job's) are the user's to add.
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    optional = {normalized(requirement_name(d)) for name, ds in extras.items() if name != "test" for d in ds}
    assert optional, "the optional extras are read"
    missing = {}
    for module, importers in sorted(found.items()):
        distributions = {to_conda.get(n, n) for n in map(normalized, providers.get(module, []))}
        if not distributions & (conda | optional):
            missing[module] = (sorted(distributions) or "no installed distribution", sorted(importers))
    assert not missing, f"imported by the rule scripts but not in environment.yml: {missing}"


# ---- what the workflow catalog and snakedeploy read ------------------------


def test_license_and_catalog_settings_are_present():
    license_text = (REPO / "LICENSE").read_text()
    assert license_text.startswith("MIT License\n\nCopyright (c) 2026 the ascflow authors\n")
    usage = yaml.safe_load((REPO / ".snakemake-workflow-catalog.yml").read_text())["usage"]
    assert usage["mandatory-flags"]["desc"]
    assert usage["software-stack-deployment"]["conda"] is True
    assert usage["software-stack-deployment"]["report"] is True
