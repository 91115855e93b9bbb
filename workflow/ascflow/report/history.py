"""This run beside the runs recorded before it on the same data (the
ledger, history/runs.tsv), and the paired test of each model's change since
the previous run.

Both runs scored every model on the same test clips (same data
fingerprint), so a change of accuracy is tested as the models are compared
within a run: McNemar's exact test on the clips one run got right and the
other wrong (:func:`ascflow.evaluation.mcnemar_test`), Holm-adjusted over
the models. It needs the previous run's predicted classes, which the ledger
keeps beside its rows since it keeps them at all.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ascflow.evaluation import holm, mcnemar_test
from ascflow.ledger import previous_run, read_ledger, recorded_predictions, run_id, run_rows, runs_on

PREVIOUS, THIS = "previous run", "this run"


def run_history(ledger_path: str | Path, runs: list[dict]) -> dict:
    """This run's rows as the ledger records them, the previous run on the
    same data, and every recorded run on it with this one last."""
    this_run = run_rows(runs, run_id(runs), "", None)
    ledger = read_ledger(ledger_path)
    earlier = [
        run
        for run in runs_on(ledger, this_run[0]["data_fingerprint"])
        if run[0]["run_id"] != this_run[0]["run_id"]
    ]
    return {
        "this_run": this_run,
        "previous": previous_run(ledger, this_run),
        "runs": [*earlier, this_run],
        "ledger": str(ledger_path),
    }


def paired_with_previous(
    history: dict, probabilities: list[str | Path], labels_path: str | Path | None, alpha: float
) -> dict[str, dict | None]:
    """Per model of this run also in the previous one, McNemar's exact test
    of its change (``only_first``: clips only the previous run got right,
    ``only_second``: only this one; ``p``, ``p_holm``, ``significant``),
    Holm-adjusted over the models tested; None for a model whose previous
    predictions the ledger did not keep, or without this run's."""
    previous = history["previous"]
    if not previous or not labels_path:
        return {}
    labels = np.load(labels_path)
    now = {Path(path).stem: path for path in probabilities}
    identity, tests = previous[0]["run_id"], {}
    for row in previous:
        model = row["model"]
        before = recorded_predictions(history["ledger"], identity, model)
        if model not in now or before is None or before.shape != labels.shape:
            tests[model] = None
            continue
        correct = {PREVIOUS: before == labels, THIS: np.load(now[model]).argmax(axis=1) == labels}
        tests[model] = mcnemar_test(PREVIOUS, THIS, correct)
    holm([test for test in tests.values() if test is not None], alpha)
    return tests
