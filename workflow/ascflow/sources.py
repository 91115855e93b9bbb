"""The source files a rule's code is made of, and their digest, for Snakemake
to track.

Snakemake re-runs a job when its rule's ``script:`` changes, not when a
module the script imports does. Each rule therefore passes, as a param,
the :func:`code_digest` of the files :func:`code_files` finds: the entry
point's module, and every ``ascflow`` module reachable from it through its
imports (the lazy ones inside functions too), read from the code with
:mod:`ast` without importing anything. The digest covers each file's content
under its path inside the package, not where the package lies: an edit
re-runs the rule's jobs, while a touch, a checkout or the whole project moved
or copied to another folder does not (as absolute paths listed as inputs
would: Snakemake records its inputs by path).

An entry point ``"ascflow.stages.train:fit_forest_job"`` narrows the entry
module to what that function uses: its module's top-level imports, the
imports inside the function, and those of the module's functions it calls,
so that editing the network code does not re-train the forests.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
from functools import cache
from pathlib import Path

PACKAGE = "ascflow"
PACKAGE_DIR = Path(__file__).resolve().parent


def module_file(module: str) -> Path | None:
    """The file of an ``ascflow`` module or package; None for anything else."""
    parts = module.split(".")
    if parts[0] != PACKAGE:
        return None
    base = PACKAGE_DIR.joinpath(*parts[1:])
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imported_modules(nodes: list[ast.AST]) -> set[str]:
    """The modules named by the import statements in ``nodes``; for
    ``from package import name`` both the package and ``package.name``
    (kept only where that is a module)."""
    modules = set()
    for tree in nodes:
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                modules.add(node.module)
                modules.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {module for module in modules if module_file(module) is not None}


def _with_parents(module: str) -> set[str]:
    """Importing ``a.b.c`` runs ``a/__init__`` and ``a/b/__init__`` too."""
    parts = module.split(".")
    return {".".join(parts[:end]) for end in range(1, len(parts) + 1)}


@cache
def _module_imports(module: str) -> frozenset[str]:
    tree = ast.parse(module_file(module).read_text())
    return frozenset(_imported_modules([tree]))


def _function_imports(module: str, function: str) -> set[str]:
    """Imports at ``module``'s top level and inside ``function`` and the
    module's functions it refers to, transitively."""
    tree = ast.parse(module_file(module).read_text())
    functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
    if function not in functions:
        raise ValueError(f"{module} has no function {function!r}")
    top_level = [node for node in tree.body if isinstance(node, ast.Import | ast.ImportFrom)]
    used, pending = set(), [function]
    while pending:
        name = pending.pop()
        if name in used:
            continue
        used.add(name)
        pending += [
            node.id
            for node in ast.walk(functions[name])
            if isinstance(node, ast.Name) and node.id in functions
        ]
    return _imported_modules([*top_level, *(functions[name] for name in used)])


def code_files(entry: str) -> list[str]:
    """Every source file the entry point (``module`` or ``module:function``)
    runs, sorted."""
    module, _, function = entry.partition(":")
    if module_file(module) is None:
        raise ValueError(f"not an {PACKAGE} module: {module!r}")
    seen = _with_parents(module)
    pending = list(_function_imports(module, function) if function else _module_imports(module))
    while pending:
        name = pending.pop()
        for reached in _with_parents(name) - seen:
            seen.add(reached)
            pending += _module_imports(reached)
    return sorted(str(module_file(name)) for name in seen)


def code_digest(entry: str) -> str:
    """A SHA-256 of the code the entry point runs (:func:`code_files`): of
    each file's content under its path relative to the package folder, so
    the same code gives the same digest wherever the package lies."""
    files = {
        Path(path).relative_to(PACKAGE_DIR).as_posix(): hashlib.sha256(Path(path).read_bytes()).hexdigest()
        for path in code_files(entry)
    }
    return hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()


def import_path(python_path: str | None = None) -> str:
    """PYTHONPATH for the jobs: the folder holding this package first, so that
    they run the code whose files the rules track, then the entries already
    in ``python_path`` (default: this process's PYTHONPATH); each once."""
    if python_path is None:
        python_path = os.environ.get("PYTHONPATH", "")
    entries = [str(PACKAGE_DIR.parent), *python_path.split(os.pathsep)]
    return os.pathsep.join(dict.fromkeys(entry for entry in entries if entry))
