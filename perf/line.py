"""What the benchmark and the plain script print: the ``key=value`` line each
ends with, the benchmark's tables, and the epoch time both report."""

from __future__ import annotations

import statistics
import sys


def format_line(prefix: str, figures: dict[str, float | int | str]) -> str:
    """``prefix: key=value ...``, numbers to four significant digits."""
    return f"{prefix}: " + " ".join(f"{key}={_text(value)}" for key, value in figures.items())


def parse_line(text: str, prefix: str = "bench") -> dict[str, float | str]:
    """The ``key=value`` pairs of the last line of ``text`` that starts with ``prefix:``."""
    lines = [line for line in text.splitlines() if line.startswith(f"{prefix}:")]
    if not lines:
        raise ValueError(f"no line starting with '{prefix}:'")
    figures: dict[str, float | str] = {}
    for pair in lines[-1].removeprefix(f"{prefix}:").split():
        key, value = pair.split("=", 1)
        try:
            figures[key] = float(value)
        except ValueError:
            figures[key] = value
    return figures


def print_table(title: str, header: list[str], rows: list[list]) -> None:
    """A plain-text table; floats to four significant digits."""
    cells = [header, *([_text(value) for value in row] for row in rows)]
    widths = [max(len(row[column]) for row in cells) for column in range(len(header))]
    print(f"\n{title}")
    for index, row in enumerate(cells):
        print("  ".join(value.ljust(width) for value, width in zip(row, widths, strict=True)).rstrip())
        if index == 0:
            print("  ".join("-" * width for width in widths))
    sys.stdout.flush()


def steady_epoch_seconds(seconds: list[float]) -> float:
    """Median epoch time without the first epoch, which also traces the graph."""
    return statistics.median(seconds[1:] or seconds)


def _text(value) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)
