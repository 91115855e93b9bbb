"""This run beside the previous one on the same data, from the ledger
(history/runs.tsv): each model's change of accuracy, tested clip by clip
with McNemar's exact test where the previous run's predictions were kept,
and the settings that changed.
"""

from __future__ import annotations

import json
from pathlib import Path

from ascflow.ledger import changed_settings
from ascflow.report.blocks import Block, Figure, Heading, Paragraph, Table
from ascflow.report.gather import Results
from ascflow.report.outputs import HISTORY
from ascflow.report.sections.formatting import NOT_APPLICABLE, accuracy_text, counted


def json_settings(row: dict) -> dict:
    """A ledger row's recorded settings as a mapping (they are text in the file)."""
    return row["settings"] if isinstance(row["settings"], dict) else json.loads(row["settings"])


def settings_change_text(changed: list[tuple[str, object, object]]) -> str:
    if not changed:
        return "none"
    return "; ".join(f"{key}: {before} → {after}" for key, before, after in changed)


def p_text(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def paired_text(test: dict | None) -> str:
    """A model's paired test in a table cell: the clips only one run got
    right, each way, and the Holm-adjusted p; why there is none."""
    if test is None:
        return "none possible: no predictions kept"
    return f"{test['only_second']} vs {test['only_first']} clips, {p_text(test['p_holm'])}" + (
        " (significant)" if test["significant"] else ""
    )


def _rows(history: dict) -> list[dict]:
    previous = {row["model"]: row for row in history["previous"]}
    paired = history.get("paired") or {}
    rows = []
    for row in history["this_run"]:
        before = previous.get(row["model"])
        rows.append(
            {
                "model": row["model"],
                "accuracy": row["accuracy"],
                "previous": None if before is None else before["accuracy"],
                "change": None if before is None else row["accuracy"] - before["accuracy"],
                "paired": paired.get(row["model"]),
                "changed": [] if before is None else changed_settings(before["settings"], json_settings(row)),
            }
        )
    return rows


def paired_verdict(rows: list[dict], alpha: float) -> str:
    """What the paired tests find, in sentences: which changes are
    significant, and for which models no test was possible."""
    compared = [row for row in rows if row["previous"] is not None]
    tested = [row for row in compared if row["paired"] is not None]
    untested = [row["model"] for row in compared if row["paired"] is None]
    level = f"{alpha * 100:g} %"
    if not tested:
        return (
            "No paired test is possible: the ledger kept no per-clip predictions of the previous run "
            "(recorded before they were kept), so no change is called significant."
        )
    significant = [
        f"{row['model']} ({'up' if row['change'] > 0 else 'down'}, {p_text(row['paired']['p_holm'])})"
        for row in tested
        if row["paired"]["significant"]
    ]
    basis = (
        "Each change is tested on the test clips both runs scored: McNemar's exact test reads the clips one "
        f"run got right and the other wrong, Holm-adjusted over the {counted(len(tested), 'model')} tested."
    )
    found = (
        f" Significant at {level}: {'; '.join(significant)}."
        if significant
        else f" No model's accuracy changed significantly at {level}."
    )
    missing = (
        f" No paired test is possible for {', '.join(untested)}: the ledger kept none of its predictions."
        if untested
        else ""
    )
    return basis + found + missing


def history_comparison(history: dict, alpha: float = 0.05) -> tuple[str, list[dict]]:
    """The comparison with the previous run on the same data: a sentence,
    and per model this run's accuracy beside the previous one's, its change,
    the paired test of the change (None: not possible) and the settings that
    changed (from the ledger's records)."""
    if not history["previous"]:
        return (
            f"There is nothing to compare with yet: {history['ledger']} records no earlier run on this data "
            "(this run is added to it now). A figure of each model's accuracy over the runs comes with the "
            "second run: one point is no trend.",
            [],
        )
    rows = _rows(history)
    n_earlier = len(history["runs"]) - 1
    first = history["previous"][0]
    sentence = (
        f"This run beside the previous run on the same data (finished {first['finished']}, commit "
        f"{first['commit'] or 'unknown'}; {n_earlier} earlier run(s) recorded in {history['ledger']}). "
        + paired_verdict(rows, alpha)
    )
    return sentence, rows


def earlier_runs_blocks(results: Results, figures: dict[str, Path]) -> list[Block]:
    """This run beside the previous one on the same data, from history/runs.tsv."""
    if results.history is None:
        return []
    sentence, rows = history_comparison(results.history, results.comparisons.get("alpha", 0.05))
    blocks: list[Block] = [Heading("Compared with earlier runs"), Paragraph(sentence)]
    if rows:
        blocks.append(
            Table(
                (
                    "model",
                    "accuracy",
                    "previous run",
                    "change",
                    "clips right in this run only vs the previous only (McNemar)",
                    "settings changed",
                ),
                tuple(
                    (
                        row["model"],
                        accuracy_text(row["accuracy"]),
                        accuracy_text(row["previous"]),
                        NOT_APPLICABLE if row["change"] is None else f"{row['change']:+.4f}",
                        NOT_APPLICABLE if row["previous"] is None else paired_text(row["paired"]),
                        settings_change_text(row["changed"]),
                    )
                    for row in rows
                ),
                align="LRRRLL",
            )
        )
    if HISTORY in figures and len(results.history["runs"]) > 1:
        blocks.append(
            Figure(
                figures[HISTORY],
                "Each model's test accuracy over the recorded runs on this data, this run last.",
            )
        )
    return blocks
