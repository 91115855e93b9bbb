"""ascflow: the logic behind the acoustic scene classification workflow.

Nothing in this package imports Snakemake, so every function runs in a plain
test; the rule scripts under ``workflow/scripts`` are thin wrappers.

``ascflow.predict(paths_or_array, bundle)`` classifies new recordings with a
trained model's bundle (:func:`ascflow.prediction.predict`). It is imported
on first use, so that ``import ascflow`` (which every job and the Snakefile
do) stays as light as this file.
"""

from importlib import import_module

from ascflow.errors import AscflowError

__all__ = ["AscflowError", "predict"]


def __getattr__(name: str):
    if name == "predict":
        return import_module("ascflow.prediction").predict
    raise AttributeError(f"module 'ascflow' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), "predict"])
