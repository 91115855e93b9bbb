"""The report's figures drawn in forked workers while the document is laid
out: :func:`start_figures` starts them, and the PDF waits for each figure
only where it embeds it (:class:`FiguresInProgress`).
"""

from __future__ import annotations

from pathlib import Path

from ascflow.report.figures import render_figures

#: What the forked figure workers draw from (inherited, not pickled).
_PENDING: dict = {}


class FiguresInProgress:
    """Figures that forked workers are drawing: wait for one before reading
    it, or for all of them; either raises a worker's error."""

    def __init__(self, pool=None, pending: dict | None = None):
        self._pool = pool
        self._pending = pending or {}  # the AsyncResult of each figure, by resolved path

    def wait_for(self, path: str | Path, timeout: float | None = None) -> None:
        result = self._pending.get(Path(path).resolve())
        if result is not None:
            result.get(timeout)

    def wait_all(self, timeout: float | None = None) -> None:
        for result in self._pending.values():
            result.get(timeout)
        if self._pool is not None:
            self._pool.join()


def start_figures(
    runs: list[dict],
    histories: dict[str, list[dict]],
    outputs: dict[str, str | Path],
    comparisons: dict,
    workers: int,
    sweeps: list[dict] = (),
    history: dict | None = None,
    study: bool = True,
) -> FiguresInProgress:
    """:func:`render_figures` in ``workers`` forked processes, which inherit
    the imported modules and the inputs, so that they start in milliseconds;
    a figure a task, taken in order by whichever worker is free, so that a
    document can embed the first figures while the last are drawn. With one
    worker, draws them all here first."""
    workers = min(workers, len(outputs))
    if workers <= 1:
        render_figures(runs, histories, outputs, comparisons, sweeps, history, study)
        return FiguresInProgress()
    import multiprocessing

    _PENDING.update(
        runs=runs,
        histories=histories,
        outputs=outputs,
        comparisons=comparisons,
        sweeps=sweeps,
        history=history,
        study=study,
    )
    pool = multiprocessing.get_context("fork").Pool(workers)
    pending = {Path(path).resolve(): pool.apply_async(_draw_figure, (key,)) for key, path in outputs.items()}
    pool.close()
    return FiguresInProgress(pool, pending)


def _draw_figure(key: str) -> None:
    render_figures(
        _PENDING["runs"],
        _PENDING["histories"],
        {key: _PENDING["outputs"][key]},
        _PENDING["comparisons"],
        _PENDING["sweeps"],
        _PENDING["history"],
        _PENDING["study"],
    )
