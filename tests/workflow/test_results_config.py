"""One results folder, one truth: results/config.yaml records the config
that made results/; regenerating the report with another config stops
before any job and names the config to pass, and passing it works."""

from __future__ import annotations

import subprocess

import yaml
from support import copy_run, one_sentence, snakemake_command, tiny_args

#: What a config other than the one that made results/ is told.
ANOTHER = "ascflow: results/ hold the run of another config than this one (it differs in seed);"


def run(workdir, *args) -> subprocess.CompletedProcess:
    return subprocess.run(
        snakemake_command(workdir, *args), capture_output=True, text=True, cwd=workdir, timeout=600
    )


def test_a_report_regenerated_with_another_config_stops_and_names_the_one_to_pass(tiny_run, tmp_path):
    workdir = copy_run(tiny_run, tmp_path / "run")
    recorded = yaml.safe_load((workdir / "results/config.yaml").read_text())
    assert recorded["seed"] == 7 and recorded["cnn"]["epochs"] == 2  # the tiny config, defaults filled in
    for regenerate in (["--report", "reports/report.html"], ["-n", "--forcerun", "render_report"]):
        result = run(workdir, *regenerate, *tiny_args("--config", "seed=3", "mlflow_experiment=other"))
        sentence = one_sentence(result)
        assert sentence.startswith(ANOTHER)  # where to log changes no result: the seed alone is named
        assert sentence.endswith("--configfile results/config.yaml")
    assert not (workdir / "reports/report.html").exists()

    # As the sentence says: the recorded config reports on what is there.
    recorded_config = ["--configfile", "results/config.yaml"]
    result = run(workdir, "--report", "reports/report.html", "--cores", "2", *recorded_config)
    assert result.returncode == 0, result.stderr
    assert (workdir / "reports/report.html").stat().st_size > 0
    # A run with another config is told what it replaces, and runs.
    planned = run(workdir, "-n", *tiny_args("--config", "seed=3"))
    told = ANOTHER.replace("ascflow:", "ascflow note:")
    assert planned.returncode == 0 and f"{told} this run replaces" in planned.stderr
