"""The report as GitHub-flavoured Markdown."""

from __future__ import annotations

import os
from functools import singledispatch
from pathlib import Path

from ascflow.files import write_text
from ascflow.report.blocks import Alert, Block, Bullets, Code, Figure, Heading, Paragraph, Table, Title

MARKDOWN_ALIGN = {"L": ":--", "R": "--:", "C": ":-:"}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


@singledispatch
def render(block: Block, directory: Path) -> str:
    raise TypeError(f"no Markdown for {type(block).__name__}")


@render.register
def _(block: Title, directory: Path) -> str:
    return f"# {block.text}\n\n{block.subtitle}" if block.subtitle else f"# {block.text}"


@render.register
def _(block: Heading, directory: Path) -> str:
    return f"{'#' * (block.level + 1)} {block.text}"


@render.register
def _(block: Paragraph, directory: Path) -> str:
    return block.text


@render.register
def _(block: Bullets, directory: Path) -> str:
    return "\n".join(f"- {item}" for item in block.items)


@render.register
def _(block: Alert, directory: Path) -> str:
    return f"> **{block.text}**"


@render.register
def _(block: Table, directory: Path) -> str:
    lines = [
        "| " + " | ".join(_cell(cell) for cell in block.header) + " |",
        "|" + "|".join(MARKDOWN_ALIGN[letter] for letter in block.alignment) + "|",
        *("| " + " | ".join(_cell(cell) for cell in row) + " |" for row in block.rows),
    ]
    if block.caption:
        lines += ["", f"*{block.caption}*"]
    return "\n".join(lines)


@render.register
def _(block: Figure, directory: Path) -> str:
    # Relative, so the report and its figures can be moved or zipped together.
    target = Path(os.path.relpath(Path(block.path).resolve(), directory.resolve())).as_posix()
    return f"![{block.caption}]({target})\n\n*{block.caption}*"


@render.register
def _(block: Code, directory: Path) -> str:
    return f"```{block.language}\n{block.text.rstrip()}\n```"


def write_markdown(blocks: list[Block], path: str | Path) -> None:
    path = Path(path)
    write_text(path, "\n\n".join(render(block, path.parent) for block in blocks) + "\n")
