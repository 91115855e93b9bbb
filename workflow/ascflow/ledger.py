"""The history of runs: ``history/runs.tsv``, one row per model and run.

Every completed run appends its models' rows (``record_run``): the run's id,
when it finished, the git commit, the data fingerprint, each model's settings
digest and recorded settings, accuracy with its interval, macro-F1 and
training time. The file lives outside ``results/`` so that clearing results
keeps it. Appends take a file lock, so that two runs finishing at once do not
interleave their rows, and a run already recorded (its id is a digest of its
metrics) is not recorded twice: re-rendering the report adds nothing.

Beside the ledger, ``history/predictions/<run_id>/<model>.npy`` keeps each
recorded run's predicted class of every test clip, so that a later run on
the same data is compared with it clip by clip (a paired test); a run
recorded before these were kept has none.

Pure facts: :mod:`ascflow.report` turns them into the comparison with the
previous run.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np

from ascflow.files import content_digest, save_array

LEDGER_COLUMNS = (
    "run_id",
    "finished",
    "commit",
    "data_fingerprint",
    "settings_digest",
    "model",
    "accuracy",
    "ci95_low",
    "ci95_high",
    "macro_f1",
    "train_seconds",
    "settings",
)
_NUMBERS = ("accuracy", "ci95_low", "ci95_high", "macro_f1", "train_seconds")
#: What a model's metrics say of how it was made, besides its own settings.
RUN_FACTS = ("seed", "standardize", "validation", "validation_fraction", "split", "refit", "trained_as")


def run_id(metrics: list[dict]) -> str:
    """A run's id: a digest of what its models' metrics say (timings
    included, so that two runs of one config differ; a re-rendered report
    of the same metrics does not)."""
    facts = [
        [run[key] for key in ("model", "accuracy", "macro_f1", "train_seconds", "settings_digest")]
        for run in metrics
    ]
    return content_digest(facts)[:12]


def recorded_settings(run: dict) -> dict:
    """A model's settings as the ledger records them, one key per setting:
    ``cnn.learning_rate``-style keys of its own section, then the run's
    facts (seed, validation, refit, the variant validation chose)."""
    settings = {
        f"{run['family']}.{key}": value if not isinstance(value, list | dict) else json.dumps(value)
        for key, value in sorted(run.get("settings", {}).items())
    }
    settings.update({key: run.get(key) for key in RUN_FACTS})
    return settings


def run_rows(metrics: list[dict], identity: str, finished: str, commit: str | None) -> list[dict]:
    """The ledger's rows for one run's models."""
    return [
        {
            "run_id": identity,
            "finished": finished,
            "commit": commit or "",
            "data_fingerprint": run["data_fingerprint"],
            "settings_digest": run["settings_digest"],
            "model": run["model"],
            **{key: run[key] for key in _NUMBERS},
            "settings": json.dumps(recorded_settings(run), sort_keys=True),
        }
        for run in metrics
    ]


def read_ledger(path: str | Path) -> list[dict]:
    """Every row recorded, in the order written (empty if there is no ledger yet)."""
    path = Path(path)
    if not path.is_file():
        return []
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    for row in rows:
        for key in _NUMBERS:
            row[key] = float(row[key]) if row[key] not in ("", None) else math.nan
        row["settings"] = json.loads(row["settings"] or "{}")
    return rows


def append_run(path: str | Path, rows: list[dict]) -> bool:
    """Append one run's rows under a file lock; False (and nothing written)
    when that run is recorded already."""
    from filelock import FileLock

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(f"{path}.lock", timeout=120):
        recorded = {row["run_id"] for row in read_ledger(path)}
        if not rows or rows[0]["run_id"] in recorded:
            return False
        new = not path.is_file() or path.stat().st_size == 0
        with path.open("a", newline="") as handle:
            writer = csv.DictWriter(handle, LEDGER_COLUMNS, delimiter="\t", lineterminator="\n")
            if new:
                writer.writeheader()
            writer.writerows(rows)
            handle.flush()
    return True


def runs_on(ledger: list[dict], fingerprint: str) -> list[list[dict]]:
    """The recorded runs on the data of ``fingerprint``, each as its rows, in
    the order they were recorded."""
    runs: dict[str, list[dict]] = {}
    for row in ledger:
        if row["data_fingerprint"] == fingerprint:
            runs.setdefault(row["run_id"], []).append(row)
    return list(runs.values())


def previous_run(ledger: list[dict], this_run: list[dict]) -> list[dict]:
    """The rows of the last run recorded before ``this_run`` on the same
    data (empty when there is none)."""
    if not this_run:
        return []
    identity, fingerprint = this_run[0]["run_id"], this_run[0]["data_fingerprint"]
    earlier = []
    for run in runs_on(ledger, fingerprint):
        if run[0]["run_id"] == identity:
            break  # recorded already (a re-rendered report): what came before it
        earlier = run
    return earlier


def changed_settings(before: dict, after: dict) -> list[tuple[str, object, object]]:
    """(key, before, after) for each recorded setting that differs."""
    return [
        (key, before.get(key), after.get(key))
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    ]


def predictions_path(ledger_path: str | Path, identity: str, model: str) -> Path:
    """Where the ledger keeps a recorded run's predicted classes of one model."""
    return Path(ledger_path).parent / "predictions" / identity / f"{model}.npy"


def keep_predictions(ledger_path: str | Path, identity: str, probabilities: dict[str, str | Path]) -> None:
    """Each model's predicted class of every test clip (``probabilities``:
    its results/predictions/<model>.npy, by model), kept for the run
    ``identity``: the class only, all a paired test of two runs reads."""
    for model, path in probabilities.items():
        predicted = np.load(path).argmax(axis=1).astype(np.int32)
        save_array(predictions_path(ledger_path, identity, model), predicted)


def recorded_predictions(ledger_path: str | Path, identity: str, model: str) -> np.ndarray | None:
    """A recorded run's predicted classes of one model; None where the
    ledger kept none (a run recorded before they were kept)."""
    path = predictions_path(ledger_path, identity, model)
    return np.load(path) if path.is_file() else None
