"""A report on the user's own data, through one real Snakemake run on a small
folder of arrays (5 scenes, text labels): it speaks of the models the run
trained, and the course study's figures stand apart, in an appendix at the
end, labelled as measured on the study's own data."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
from support import snakemake, variant_config

CLASSES = ["beeps", "cafe/restaurant", "metro station", "quiet office", "residential area"]
APPENDIX = "Appendix: the course study"


def user_folder(folder: Path) -> Path:
    """60 training and 30 test clips of 12 x 40, labelled by their scenes' names."""
    rng = np.random.default_rng(5)
    folder.mkdir(parents=True)
    for split, n_clips in (("train", 60), ("test", 30)):
        classes = np.arange(n_clips) % len(CLASSES)
        clips = rng.normal(size=(n_clips, 12, 40)) + 0.3 * classes[:, None, None]
        np.save(folder / f"X_{split}.npy", clips.astype(np.float32))
        np.save(folder / f"y_{split}.npy", np.array(CLASSES)[classes])
    return folder


@pytest.fixture(scope="module")
def user_run(tmp_path_factory) -> Path:
    workdir = tmp_path_factory.mktemp("user_report")
    folder = user_folder(workdir / "data")
    config = variant_config(workdir, rf={"n_estimators": [10]}, data_dir=str(folder))
    snakemake(workdir, "--configfile", str(config), "--cores", "2")
    return workdir


def section(markdown: str, heading: str) -> str:
    return markdown.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]


def test_the_report_speaks_of_the_models_this_run_trained(user_run):
    assert json.loads((user_run / "results/data/summary.json").read_text())["source"] == "user"
    markdown = (user_run / "reports/report.md").read_text()
    body = markdown.split(f"## {APPENDIX}\n", 1)[0]
    summary = section(markdown, "Summary")
    assert "Best model of the reference" not in summary and f"({APPENDIX})" in summary
    accuracy = section(markdown, "Accuracy on the test set")
    header = next(line for line in accuracy.splitlines() if line.startswith("| model"))
    assert header.endswith("| training time |")
    assert "0.5947" not in body and "DCASE 2017" not in body and "74.8" not in body
    counts = section(markdown, "Parameter counts")
    assert [line.split(":")[0] for line in counts.splitlines() if line.startswith("### ")] == [
        "### cnn",
        "### lstm",
    ]
    assert "128x128x3" not in body and "The reference's count" not in body
    # Text labels are the class names: each shown once.
    classes = section(markdown, "Data")
    assert "| beeps | beeps |" not in classes and re.search(r"^\| beeps \| 12 \| 6 \|$", classes, re.M)


def test_the_course_study_closes_the_report_as_its_own(user_run):
    markdown = (user_run / "reports/report.md").read_text()
    headings = re.findall(r"^## (.+)$", markdown, re.M)
    assert headings[-1] == APPENDIX
    appendix = markdown.split(f"## {APPENDIX}\n", 1)[1]
    assert "measured on the study's own data" in appendix
    for figure in ("0.5153", "0.5947", "0.4493", "74.8 %", "4,926,410", "36,902,400", "355,754"):
        assert figure in appendix, figure
    pdf = subprocess.run(
        ["pdftotext", "-layout", str(user_run / "reports/report.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert pdf.rindex(APPENDIX) > pdf.index("Provenance")  # the heading; the summary names it too


def test_validation_is_worded_by_its_size(user_run):
    """15 held-out clips (a quarter of 60): an interval too wide to tell the networks apart."""
    training = section((user_run / "reports/report.md").read_text(), "Training of the networks")
    assert "honest preview" not in training
    assert "Each network's validation accuracy counts 15 clips" in training
    assert "a validation set cannot tell models apart" in training
    cnn = json.loads((user_run / "results/metrics/cnn.json").read_text())
    assert re.search(rf"\| {cnn['validation_accuracy']:.4f} \(0\.\d{{3}}–[01]\.\d{{3}}\) \|", training)
