"""Knowledge distillation through real Snakemake runs on the tiny data: the
teachers' probabilities of the training clips as an artifact of their own,
the distilled CNN trained (and refitted) on them beside the labels,
evaluated and exported like any network; a change of the student leaves the
teachers alone; the test set plays no part; off by default."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from ascflow.configuration import load_config
from ascflow.plan import Machine, Plan
from support import (
    REPO,
    copy_run,
    one_sentence,
    paramspace_labels,
    planned_jobs,
    snakemake,
    tiny_args,
    variant_config,
)

DISTILL = {"teachers": ["cnn", "rf_10"], "temperature": 3.0, "alpha": 0.7}
TARGETS = ("results/metrics/cnn_distilled.json", "results/export/cnn_distilled")


def _config(tmp_path: Path, **distill) -> Path:
    return variant_config(tmp_path, distill={**DISTILL, **distill}, refit=True)


@pytest.fixture(scope="module")
def distilled_run(tmp_path_factory) -> Path:
    workdir = tmp_path_factory.mktemp("distilled")
    config = _config(workdir)
    snakemake(workdir, *TARGETS, "--configfile", str(config), "--cores", "2")
    return workdir


def test_the_student_learns_from_its_teachers_cached_probabilities(distilled_run):
    labels = np.load(distilled_run / "results/data/labels_train.npy")
    teachers = np.load(distilled_run / "results/distill/teachers.npy")
    assert teachers.shape == (labels.size, 4)
    np.testing.assert_allclose(teachers.sum(axis=1), 1.0, atol=1e-5)
    facts = json.loads((distilled_run / "results/distill/teachers.json").read_text())
    assert facts["teachers"] == ["cnn", "rf_10"] and facts["in_sample"] is True
    assert set(facts["per_teacher"]) == {"cnn", "rf_10"}
    # The student was refitted, with its distillation recorded in its facts.
    info = json.loads((distilled_run / "results/refit/cnn_distilled.train.json").read_text())
    assert info["settings"]["distill"]["teachers"] == ["cnn", "rf_10"]
    assert info["settings"]["distill"]["temperature"] == 3.0
    assert set(info["settings"]["distill"]["teacher_digests"]) == {"cnn", "rf_10"}
    metrics = json.loads((distilled_run / "results/metrics/cnn_distilled.json").read_text())
    assert metrics["family"] == "cnn" and metrics["base_model"] == "cnn_distilled"
    assert 0 <= metrics["accuracy"] <= 1
    assert (distilled_run / "results/export/cnn_distilled").is_dir()
    # The student is the CNN as configured: the same layers as the plain one.
    plain = json.loads((distilled_run / "results/refit/cnn.train.json").read_text())
    assert metrics["layer_params"] == plain["layer_params"]


def test_the_teachers_never_read_the_test_set(tmp_path):
    result = snakemake(
        tmp_path, "-n", "results/distill/teachers.npy", *tiny_args("--configfile", str(_config(tmp_path)))
    )
    block = result.stdout.split("rule teacher_probabilities:", 1)[1].split("\n\n", 1)[0]
    inputs = next(line for line in block.splitlines() if line.strip().startswith("input:"))
    assert "train" in inputs and "test" not in inputs, inputs


def test_changing_the_student_leaves_its_teachers_alone(distilled_run, tmp_path):
    workdir = copy_run(distilled_run, tmp_path / "run")
    config = _config(tmp_path, temperature=5.0, alpha=0.3)
    jobs = planned_jobs(
        snakemake(workdir, "-n", *TARGETS, "--configfile", str(config), "--cores", "2").stdout
    )
    assert "teacher_probabilities" not in jobs and "train_forest" not in jobs
    # The student's validation run and its refit only (the plain CNN is untouched).
    assert jobs.get("train_network") == 1 and jobs.get("refit_network") == 1
    assert jobs.get("evaluate_model") == 1 and jobs.get("export_model") == 1


def test_changing_a_teacher_recomputes_the_probabilities(distilled_run, tmp_path):
    workdir = copy_run(distilled_run, tmp_path / "run")
    config = variant_config(tmp_path, distill=DISTILL, refit=True, rf={"min_samples_leaf": 2})
    jobs = planned_jobs(
        snakemake(workdir, "-n", *TARGETS, "--configfile", str(config), "--cores", "2").stdout
    )
    assert jobs.get("train_forest") == 1 and jobs.get("teacher_probabilities") == 1
    assert jobs.get("train_network") == 1  # the student; the plain CNN stays


def test_off_by_default(tmp_path):
    jobs = planned_jobs(snakemake(tmp_path, "-n", *tiny_args()).stdout)
    assert "teacher_probabilities" not in jobs
    assert jobs["train_network"] == 2  # the CNN and the LSTM, no student


@pytest.mark.parametrize(
    ("distill", "sentence"),
    [
        ({"teachers": ["rf_7"]}, "distill.teachers: rf_7 is not a model of this config"),
        ({"teachers": ["cnn"], "seeds": True}, "not trained with seeds"),
    ],
)
def test_a_config_that_cannot_distill_is_one_sentence(tmp_path, distill, sentence):
    seeds = distill.pop("seeds", False)
    config = variant_config(tmp_path, distill=distill, **({"seeds": [1, 2]} if seeds else {}))
    result = snakemake(tmp_path, "-n", "--configfile", str(config), "--cores", "2", check=False)
    assert sentence in one_sentence(result)


def test_the_plan_lists_the_jobs_a_dry_run_plans(tmp_path):
    """The plan's job graph (the Slurm check's and the report's) holds the
    teachers' job and the student's, as Snakemake plans them."""
    config = _config(tmp_path)
    output = snakemake(tmp_path, "-n", "--cores", "2", "--configfile", str(config)).stdout
    planned: Counter = Counter()
    rule = None
    for line in output.splitlines():
        if heading := re.match(r"^(?:local)?rule (\w+):$", line):
            rule = heading.group(1)
            planned[(rule, ())] += 1
        elif (wildcards := re.match(r"^\s+wildcards: (.*)$", line)) and rule:
            planned[(rule, ())] -= 1
            pairs = tuple(sorted(tuple(pair.split("=", 1)) for pair in wildcards.group(1).split(", ")))
            planned[(rule, pairs)] += 1
    planned = +Counter({job: count for job, count in planned.items() if job[0] != "all"})
    plan = Plan(
        load_config([REPO / "config" / "config.yaml", config]),
        Machine(cores=2, cpus=2),
        variant_labels=paramspace_labels,
    )
    listed = Counter((job.rule, tuple(sorted(job.wildcards.items()))) for job in plan.graph.jobs())
    assert planned == listed
    assert listed[("teacher_probabilities", ())] == 1
    assert listed[("refit_network", (("model", "cnn_distilled"),))] == 1
