"""Cross-validation through Snakemake's command line: the tiny workflow with
two grouped folds (conftest.py's cross_validated_run, which refits the
networks for the epochs the folds choose). The splits and the paired tests
themselves are tests/unit/test_comparisons.py."""

from __future__ import annotations

import json
import shutil
import subprocess

from support import read_metrics


def test_cross_validated_run_reports_folds_and_the_pvalue_matrix(cross_validated_run):
    """The tiny workflow with two grouped folds: a job per model and fold,
    the fold table and the McNemar matrix in both documents."""
    tmp_path = cross_validated_run
    folds = sorted((tmp_path / "results/cv").glob("*/fold*.json"))
    assert len(folds) == 10  # 5 models x 2 folds
    table = (tmp_path / "results/cv/folds.tsv").read_text().splitlines()
    assert len(table) == 11 and "split" in table[0] and all("\tgrouped\t" in row for row in table[1:])
    markdown = (tmp_path / "reports/report.md").read_text()
    section = markdown.split("## Cross-validation on the training set", 1)[1].split("\n## ", 1)[0]
    for name, metrics in read_metrics(tmp_path).items():
        row = next(line for line in section.splitlines() if line.startswith(f"| {name} |"))
        assert " ± " in row and row.rstrip(" |").endswith(f"{metrics['accuracy']:.4f}")
    assert (
        "](figures/significance.png)" in markdown
        and (tmp_path / "reports/figures/significance.png").stat().st_size
    )
    comparisons = json.loads((tmp_path / "results/comparisons/models.json").read_text())
    assert len(comparisons["mcnemar"]) == 10 and "McNemar's exact test" in markdown
    if shutil.which("pdftotext"):
        pdf = subprocess.run(
            ["pdftotext", str(tmp_path / "reports/report.pdf"), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert "Cross-validation on the training set" in pdf and "fold 2" in pdf
        assert "Holm-adjusted McNemar p-values" in pdf
