"""A finished run's timeline from Snakemake's own log: when each job started
and finished, with how many threads, and how many threads ran at once.

Snakemake stamps its log to the second; that is the resolution here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

_STAMP = re.compile(r"^\[(\w{3} \w{3} +\d+ \d\d:\d\d:\d\d \d{4})\]$")
_RULE = re.compile(r"^(?:local)?(?:rule|checkpoint) (\w+):$")
_FINISHED = re.compile(r"^Finished jobid: (\d+)")


@dataclass
class Job:
    rule: str
    wildcards: str = ""
    threads: int = 1
    start: datetime | None = None
    end: datetime | None = None

    @property
    def name(self) -> str:
        values = ",".join(part.split("=", 1)[1] for part in self.wildcards.split(", ") if "=" in part)
        return f"{self.rule}/{values}" if values else self.rule


def parse_log(path: str | Path) -> list[Job]:
    """The jobs of one Snakemake log, in the order they started (the target
    rule ``all`` left out)."""
    jobs: dict[str, Job] = {}
    stamp: datetime | None = None
    current: Job | None = None
    for line in Path(path).read_text().splitlines():
        if match := _STAMP.match(line):
            stamp = datetime.strptime(" ".join(match[1].split()), "%a %b %d %H:%M:%S %Y")
            current = None
        elif match := _RULE.match(line):
            current = Job(match[1], start=stamp)
        elif current is not None and line.startswith("    jobid: "):
            jobs[line.split(": ", 1)[1]] = current
        elif current is not None and line.startswith("    wildcards: "):
            current.wildcards = line.split(": ", 1)[1]
        elif current is not None and line.startswith("    threads: "):
            current.threads = int(line.split(": ", 1)[1])
        elif match := _FINISHED.match(line):
            if match[1] in jobs:
                jobs[match[1]].end = stamp
    return [job for job in jobs.values() if job.rule != "all"]


def last_run_log(workdir: str | Path) -> Path:
    """The log of the newest Snakemake run in ``workdir`` that ran jobs."""
    logs = sorted(Path(workdir, ".snakemake", "log").glob("*.snakemake.log"))
    for path in reversed(logs):
        if parse_log(path):
            return path
    raise FileNotFoundError(f"no Snakemake log with jobs in {workdir}")


def timeline_rows(jobs: list[Job]) -> list[list]:
    """job, threads, start and end in seconds after the first job started."""
    origin = min(job.start for job in jobs)
    return [
        [job.name, job.threads, (job.start - origin).total_seconds(), (job.end - origin).total_seconds()]
        for job in jobs
        if job.end is not None
    ]


def peak_threads(jobs: list[Job]) -> int:
    """The most threads that ran at once: the jobs' declared threads summed
    over the jobs running in the same second (a job ending in the second
    another starts counts as ended)."""
    starts = [(job.start, 1, job.threads) for job in jobs]
    ends = [(job.end, 0, -job.threads) for job in jobs if job.end]
    running = peak = 0
    for _, _, change in sorted(starts + ends):
        running += change
        peak = max(peak, running)
    return peak
