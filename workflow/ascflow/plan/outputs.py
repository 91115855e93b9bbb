"""The plan's words for jobs and for the files they make: common.smk turns
an :class:`Output` into the path its rule gives, so that no path is written
twice."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Job:
    """One job of the run: a rule and its wildcards."""

    rule: str
    wildcards: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Output:
    """A file another rule makes, which a job reads: the rule, the name of
    its output, and the wildcards that name the file."""

    rule: str
    name: str
    wildcards: tuple[tuple[str, str], ...] = ()


def output(rule: str, name: str, **wildcards) -> Output:
    return Output(rule, name, tuple(sorted(wildcards.items())))


#: The validated data every model's training and evaluation read.
SUMMARY = output("validate_data", "summary")
