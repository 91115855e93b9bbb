"""How the report writes its numbers: accuracies, intervals, counts, durations,
sizes. One place, so that every table and sentence prints a figure alike, and
``NOT_APPLICABLE`` where a run has none.
"""

from __future__ import annotations

NOT_APPLICABLE = "–"


def accuracy_text(value: float | None) -> str:
    return NOT_APPLICABLE if value is None else f"{value:.4f}"


def interval_text(low: float, high: float) -> str:
    return f"{low:.3f}–{high:.3f}"


def count_text(value: int | None) -> str:
    return NOT_APPLICABLE if value is None else f"{int(value):,}"


def counted(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def duration_text(seconds: float | None) -> str:
    """A duration in the unit that reads best: a second's hundredths below
    one second (a small forest trains in 0.04 s, not "0.0 s"), tenths below
    a minute, then minutes and seconds, hours and minutes."""
    if seconds is None:
        return NOT_APPLICABLE
    if seconds < 0.01:
        return "< 0.01 s"
    if seconds < 1:
        return f"{seconds:.2f} s"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d} min"


def mean_sd_text(mean: float | None, sd: float | None) -> str:
    """A mean and its sample standard deviation; the mean alone when one value
    gives no deviation."""
    if mean is None:
        return NOT_APPLICABLE
    return f"{mean:.4f}" if sd is None else f"{mean:.4f} ± {sd:.4f}"


def loss_text(value: float | None) -> str:
    """A log loss: three decimals (a forest's confident mistakes cost 36 each)."""
    return NOT_APPLICABLE if value is None else f"{value:.3f}"


def model_size_text(run: dict) -> str:
    if run.get("n_params") is not None:
        return f"{count_text(run['n_params'])} parameters"
    if run.get("tree_nodes") is not None:
        return f"{count_text(run['tree_nodes'])} tree nodes"
    return NOT_APPLICABLE
