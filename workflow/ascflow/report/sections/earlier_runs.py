"""This run beside the previous one on the same data, from the ledger
(history/runs.tsv): the change of each model's accuracy against its
interval, and the settings that changed.
"""

from __future__ import annotations

import json
from pathlib import Path

from ascflow.ledger import changed_settings
from ascflow.report.blocks import Block, Figure, Heading, Paragraph, Table
from ascflow.report.gather import Results
from ascflow.report.outputs import HISTORY
from ascflow.report.sections.formatting import NOT_APPLICABLE, accuracy_text


def json_settings(row: dict) -> dict:
    """A ledger row's recorded settings as a mapping (they are text in the file)."""
    return row["settings"] if isinstance(row["settings"], dict) else json.loads(row["settings"])


def settings_change_text(changed: list[tuple[str, object, object]]) -> str:
    if not changed:
        return "none"
    return "; ".join(f"{key}: {before} → {after}" for key, before, after in changed)


def history_comparison(history: dict) -> tuple[str, list[dict]]:
    """The comparison with the previous run on the same data: a sentence,
    and per model this run's accuracy beside the previous one's, its change,
    whether the change exceeds this run's interval half-width, and the
    settings that changed (from the ledger's records)."""
    previous = {row["model"]: row for row in history["previous"]}
    n_earlier = len(history["runs"]) - 1
    if not previous:
        return (
            f"There is nothing to compare with yet: {history['ledger']} records no earlier run on this data "
            "(this run is added to it now).",
            [],
        )
    rows = []
    for row in history["this_run"]:
        before = previous.get(row["model"])
        half_width = (row["ci95_high"] - row["ci95_low"]) / 2
        change = None if before is None else row["accuracy"] - before["accuracy"]
        changed = [] if before is None else changed_settings(before["settings"], json_settings(row))
        rows.append(
            {
                "model": row["model"],
                "accuracy": row["accuracy"],
                "previous": None if before is None else before["accuracy"],
                "change": change,
                "beyond_half_width": None if change is None else abs(change) > half_width,
                "half_width": half_width,
                "changed": changed,
            }
        )
    beyond = [row["model"] for row in rows if row["beyond_half_width"]]
    finished = history["previous"][0]["finished"]
    sentence = (
        f"This run beside the previous run on the same data (finished {finished}, commit "
        f"{history['previous'][0]['commit'] or 'unknown'}; {n_earlier} earlier run(s) recorded in "
        f"{history['ledger']}). "
        + (
            f"Changes larger than this run's 95 % interval half-width: {', '.join(beyond)}."
            if beyond
            else "No model's accuracy moved by more than its 95 % interval half-width."
        )
    )
    return sentence, rows


def earlier_runs_blocks(results: Results, figures: dict[str, Path]) -> list[Block]:
    """This run beside the previous one on the same data, from history/runs.tsv."""
    if results.history is None:
        return []
    sentence, rows = history_comparison(results.history)
    blocks: list[Block] = [Heading("Compared with earlier runs"), Paragraph(sentence)]
    if rows:
        blocks.append(
            Table(
                ("model", "accuracy", "previous run", "change", "beyond ± half-width", "settings changed"),
                tuple(
                    (
                        row["model"],
                        accuracy_text(row["accuracy"]),
                        accuracy_text(row["previous"]),
                        NOT_APPLICABLE if row["change"] is None else f"{row['change']:+.4f}",
                        NOT_APPLICABLE
                        if row["beyond_half_width"] is None
                        else ("yes" if row["beyond_half_width"] else "no") + f" (±{row['half_width']:.3f})",
                        settings_change_text(row["changed"]),
                    )
                    for row in rows
                ),
                align="LRRRRL",
                widths=(1.3, 1.1, 1.1, 1.0, 1.6, 6.0),
            )
        )
    if HISTORY in figures:
        blocks.append(
            Figure(
                figures[HISTORY],
                "Each model's test accuracy over the recorded runs on this data, this run last.",
            )
        )
    return blocks
