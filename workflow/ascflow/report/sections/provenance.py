"""Provenance: when, from which commit and with which packages the report
was made, the configuration used, and each job's time and memory.
"""

from __future__ import annotations

import yaml

from ascflow.report.blocks import Block, Bullets, Code, Heading, Paragraph, Table
from ascflow.report.gather import Results
from ascflow.report.sections.formatting import NOT_APPLICABLE, duration_text


def provenance_blocks(results: Results) -> list[Block]:
    facts = results.provenance
    blocks: list[Block] = [
        Heading("Provenance"),
        Bullets(
            (
                f"Generated: {facts.get('generated', NOT_APPLICABLE)}",
                f"Git commit: {facts.get('git_commit') or 'not available (not a git checkout)'}",
                f"Snakemake: {facts.get('snakemake') or NOT_APPLICABLE}",
                f"Python: {facts.get('python', NOT_APPLICABLE)} on {facts.get('platform', NOT_APPLICABLE)}",
            )
        ),
        Table(
            ("package", "version"),
            tuple(facts.get("packages", {}).items()),
        ),
        Heading("Configuration used", level=2),
        Code(yaml.safe_dump(results.config, sort_keys=False, default_flow_style=None), "yaml"),
    ]
    if results.benchmarks:
        blocks += [
            Heading("Time and memory per job", level=2),
            Paragraph("From Snakemake's benchmark files: wall time, peak resident memory and CPU time."),
            Table(
                ("rule", "job", "wall time", "peak memory", "CPU time"),
                tuple(
                    (
                        job["rule"],
                        job["job"] or NOT_APPLICABLE,
                        duration_text(job["seconds"]),
                        NOT_APPLICABLE if job["max_rss_mb"] is None else f"{job['max_rss_mb']:,.0f} MB",
                        duration_text(job["cpu_seconds"]),
                    )
                    for job in results.benchmarks
                ),
                align="LLRRR",
            ),
        ]
    return blocks
