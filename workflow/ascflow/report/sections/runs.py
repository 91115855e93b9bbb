"""Picking runs out of the report's list: those of some model families, and
the best and the worst by test accuracy, as several sections name them.
"""

from __future__ import annotations


def runs_of(runs: list[dict], families: tuple[str, ...]) -> list[dict]:
    return [run for run in runs if run["family"] in families]


def best_run(runs: list[dict]) -> dict:
    return max(runs, key=lambda run: run["accuracy"])


def worst_run(runs: list[dict]) -> dict:
    return min(runs, key=lambda run: run["accuracy"])
