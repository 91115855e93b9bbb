"""Stage learning curve: a subset's clip list, and the table of the curve."""

from __future__ import annotations

import numpy as np
from ascflow.files import read_table, write_json
from ascflow.stages.learning_curve import (
    CURVE_COLUMNS,
    CurveInputs,
    CurveOutputs,
    MakeSubset,
    SubsetFile,
    SubsetInputs,
    SubsetSettings,
    SummarizeLearningCurve,
    curve_rows,
    make_subset_job,
    subset_fraction,
    summarize_learning_curve,
)


def scores(model, fraction, accuracy):
    return {
        "model": model,
        "fraction": fraction,
        "n_train": 6,
        "n_recordings": 3,
        "accuracy": accuracy,
        "ci95_low": accuracy - 0.1,
        "ci95_high": accuracy + 0.1,
        "log_loss": 1.0,
        "epochs_run": 2,
    }


def test_rows_by_model_then_fraction_with_the_runs_own_model_at_one():
    rows = curve_rows(
        [scores("cnn", "0.5", 0.4), scores("rf_10", "0.5", 0.3), scores("cnn", "0.25", 0.2)],
        [
            {
                "model": "cnn",
                "accuracy": 0.6,
                "ci95_low": 0.5,
                "ci95_high": 0.7,
                "log_loss": 0.9,
                "family": "cnn",
            }
        ],
        {"1": (12, 6)},
    )
    assert [(row["model"], row["fraction"], row["source"]) for row in rows] == [
        ("cnn", "0.25", "subset"),
        ("cnn", "0.5", "subset"),
        ("cnn", "1", "run"),
        ("rf_10", "0.5", "subset"),
    ]
    assert rows[2]["n_train"] == 12 and rows[2]["n_recordings"] == 6 and rows[2]["accuracy"] == 0.6
    assert all(list(row) == list(CURVE_COLUMNS) for row in rows)


def test_a_subset_job_writes_its_clip_list_inside_the_next(tmp_path):
    labels, groups = np.repeat([0, 1, 2], 8), np.repeat(np.arange(12), 2)
    np.save(tmp_path / "labels.npy", labels)
    np.save(tmp_path / "groups.npy", groups)
    devices = np.repeat(["a", "b"] * 6, 2)  # each recording one device, two per class each
    np.save(tmp_path / "devices.npy", devices)
    made = {}
    for fraction in ("0.25", "0.5", "1"):
        path = tmp_path / f"train_{fraction}.txt"
        job = MakeSubset(
            SubsetInputs(
                str(tmp_path / "labels.npy"), str(tmp_path / "groups.npy"), str(tmp_path / "devices.npy")
            ),
            SubsetFile(str(path)),
            SubsetSettings(fraction=fraction, seed=7),
        )
        facts = make_subset_job(job)
        made[fraction] = set(np.loadtxt(path, dtype=int).tolist())
        assert facts["class_clips"] == {
            0: facts["n_clips"] // 3,
            1: facts["n_clips"] // 3,
            2: facts["n_clips"] // 3,
        }
        assert subset_fraction(path) == fraction
        if fraction == "0.5":  # half of each class: one recording of each device
            assert sorted(devices[sorted(made[fraction])].tolist()) == ["a"] * 6 + ["b"] * 6
    assert made["0.25"] < made["0.5"] < made["1"] == set(range(24))


def test_the_table_and_figure_are_written(tmp_path):
    np.save(tmp_path / "labels.npy", np.repeat([0, 1], 4))
    np.save(tmp_path / "groups.npy", np.arange(8))
    (tmp_path / "train_0.5.txt").write_text("0\n1\n4\n5\n")
    (tmp_path / "train_1.txt").write_text("\n".join(map(str, range(8))) + "\n")
    write_json(tmp_path / "cnn.json", scores("cnn", "0.5", 0.4))
    write_json(tmp_path / "run.json", {**scores("cnn", "x", 0.6), "n_train": None})
    job = SummarizeLearningCurve(
        CurveInputs(
            scores=[str(tmp_path / "cnn.json")],
            subsets=[str(tmp_path / "train_0.5.txt"), str(tmp_path / "train_1.txt")],
            labels=str(tmp_path / "labels.npy"),
            groups=str(tmp_path / "groups.npy"),
            reused=[str(tmp_path / "run.json")],
        ),
        CurveOutputs(str(tmp_path / "curve.tsv"), str(tmp_path / "curve.png")),
    )
    summarize_learning_curve(job)
    table = read_table(tmp_path / "curve.tsv")
    assert [(row["fraction"], row["n_train"], row["accuracy"]) for row in table] == [
        (0.5, 6, 0.4),
        (1, 8, 0.6),
    ]
    assert (tmp_path / "curve.png").stat().st_size > 0


def test_the_plan_has_no_learning_curve_by_default_and_a_job_per_model_and_subset_with_fractions():
    from plans import SWEEP, plan

    assert not [job for job in plan().graph.jobs() if "subset" in job.rule or "learning" in job.rule]
    assert plan().roster.curve_models == [] and not plan().roster.reuses_run("cnn")
    fractions = plan({"data_fractions": [1.0, 0.25]})
    roster = fractions.roster
    assert roster.fractions == ["0.25", "1"]
    assert roster.subset_runs == [(model, "0.25") for model in roster.models]  # at 1: the run's own
    rules = [job.rule for job in fractions.graph.jobs()]
    assert rules.count("make_subset") == 2 and rules.count("fit_subset") == len(roster.models)
    assert rules.count("summarize_learning_curve") == 1
    inputs = fractions.graph.subset_inputs("cnn", "0.25")
    assert inputs["subset"].wildcards == (("fraction", "0.25"),)
    swept = plan(SWEEP, {"data_fractions": [0.5, 1.0]}).roster
    assert ("cnn", "1") in swept.subset_runs and ("lstm", "1") not in swept.subset_runs
