"""The report as a list of blocks, written once and rendered twice.

:mod:`ascflow.report.sections` decide what the report says as a sequence of
these blocks; :mod:`ascflow.report.markdown` and :mod:`ascflow.report.pdf`
each render every block type. So the Markdown and the PDF cannot drift
apart: neither writer knows anything about the results.

Text is plain Unicode (no markup), so it means the same in both formats.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Title:
    text: str
    subtitle: str = ""


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1  # 1: section, 2: subsection


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Alert:
    """A warning the reader must not miss."""

    text: str


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    #: One letter per column: L(eft), R(ight) or C(enter).
    align: str = ""
    caption: str = ""

    def __post_init__(self):
        for row in self.rows:
            if len(row) != len(self.header):
                raise ValueError(f"table row {row} has {len(row)} cells for {len(self.header)} columns")

    @property
    def alignment(self) -> str:
        return self.align or "L" * len(self.header)


@dataclass(frozen=True)
class Figure:
    path: Path
    caption: str
    #: Share of the text width the figure takes in the PDF.
    width: float = 1.0


@dataclass(frozen=True)
class Code:
    text: str
    language: str = ""


Block = Title | Heading | Paragraph | Bullets | Alert | Table | Figure | Code
