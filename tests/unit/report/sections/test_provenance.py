"""Provenance: versions, the configuration, and each job's time and memory."""

from __future__ import annotations

import yaml
from ascflow.report.blocks import Code, Heading, Table
from ascflow.report.sections.provenance import provenance_blocks
from fake_results import CONFIG, gather, write_fake_results


def test_provenance_holds_the_config_and_the_benchmarked_jobs(tmp_path):
    results = gather(write_fake_results(tmp_path, CONFIG))
    blocks = provenance_blocks(results)
    (config,) = [block for block in blocks if isinstance(block, Code)]
    assert yaml.safe_load(config.text) == CONFIG
    jobs = [block for block in blocks if isinstance(block, Table)][-1]
    assert jobs.rows == (
        ("train_forest", "rf_10", "3.5 s", "512 MB", "3.1 s"),
        ("validate_data", "–", "0.76 s", "267 MB", "0.48 s"),  # under a second: hundredths
    )
    results.benchmarks = []
    headings = [block.text for block in provenance_blocks(results) if isinstance(block, Heading)]
    assert headings == ["Provenance", "Configuration used"]
