"""Learning curves through Snakemake's command line: the tiny workflow with
data_fractions [0.5, 1.0] (conftest.py's augmented_curve_run, whose networks
train on augmented batches too). The subsets themselves are
tests/unit/models/test_subsets.py."""

from __future__ import annotations

import json

import numpy as np
from support import read_metrics, snakemake


def test_a_run_with_fractions_writes_nested_subsets_the_curve_and_its_section(augmented_curve_run):
    tmp_path = augmented_curve_run
    args = ("--configfile", str(tmp_path / "variant.yaml"), "--cores", "2")
    half, whole = (
        np.loadtxt(tmp_path / f"results/subsets/train_{fraction}.txt", dtype=int) for fraction in ("0.5", "1")
    )
    labels = np.load(tmp_path / "results/data/labels_train.npy")
    groups = np.load(tmp_path / "results/data/groups_train.npy")
    assert set(half) < set(whole) and whole.tolist() == list(range(labels.size))
    # Whole recordings: a recording in the half subset has every clip of it there.
    assert set(np.flatnonzero(np.isin(groups, groups[half]))) == set(half)
    assert sorted(set(labels[half])) == sorted(set(labels))
    # A job per model at 0.5; at 1 every model is the run's own.
    scores = sorted((tmp_path / "results/subsets/0.5").glob("*.json"))
    assert [path.stem for path in scores] == ["cnn", "lstm", "rf_10"]
    metrics = read_metrics(tmp_path)
    rows = [line.split("\t") for line in (tmp_path / "results/learning_curve.tsv").read_text().splitlines()]
    header, rows = rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert header[:5] == ["model", "fraction", "n_train", "n_recordings", "accuracy"]
    assert [(row["model"], row["fraction"]) for row in rows] == [
        (model, fraction) for model in ("rf_10", "cnn", "lstm") for fraction in ("0.5", "1")
    ]
    for row in rows:
        assert int(row["n_train"]) == (half.size if row["fraction"] == "0.5" else labels.size)
        made = json.loads((tmp_path / f"results/subsets/0.5/{row['model']}.json").read_text())
        expected = made if row["fraction"] == "0.5" else metrics[row["model"]]
        assert float(row["accuracy"]) == expected["accuracy"]
        assert float(row["ci95_low"]) <= float(row["accuracy"]) <= float(row["ci95_high"])
        assert row["source"] == ("subset" if row["fraction"] == "0.5" else "run")
    markdown = (tmp_path / "reports/report.md").read_text()
    section = markdown.split("## Learning curves", 1)[1].split("\n## ", 1)[0]
    assert "](figures/learning_curve.png)" in section
    assert (tmp_path / "reports/figures/learning_curve.png").stat().st_size > 0
    for row in rows:
        share = "50 %" if row["fraction"] == "0.5" else "100 %"
        line = next(line for line in section.splitlines() if line.startswith(f"| {row['model']} | {share} |"))
        assert f"{float(row['accuracy']):.4f}" in line
    # Nothing to do on a second run: the subsets and their jobs are stable.
    assert "Nothing to be done" in snakemake(tmp_path, "-n", *args).stdout
