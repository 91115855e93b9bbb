"""ascflow.plan.run_jobs: every job of a run and what it delivers (the same
jobs as Snakemake plans: tests/workflow/test_job_graph.py)."""

from __future__ import annotations

from plans import plan


def test_the_jobs_of_a_run():
    jobs = [job.rule for job in plan({"cv": {"folds": 2}}).graph.jobs()]
    assert jobs.count("make_features") == 6 and jobs.count("cross_validate") == 10
    assert jobs.count("train_forest") == 3 and jobs.count("train_network") == 2
    assert jobs[0] == "generate_default_data" and jobs[-2:] == ["render_report", "record_run"]
    audio = plan({"audio_dir": "resources/example-audio", "example_audio": {"write": True}}).graph
    chunks = [job for job in audio.jobs(["0000", "0001"]) if job.rule == "extract_audio_chunk"]
    assert [job.wildcards["chunk"] for job in chunks] == ["0000", "0001"]
    assert "generate_default_data" not in [job.rule for job in audio.jobs()]


def test_what_a_run_delivers():
    the_plan = plan({"refit": True, "cv": {"folds": 2}, "mlflow_tracking_uri": "sqlite:///m.db"})
    delivered = {(made.rule, made.name) for made in the_plan.graph.targets()}
    assert {
        ("refit_network", "history"),
        ("summarize_folds", "folds"),
        ("track_run", "tracked"),
        ("record_run", "ledger"),
    } <= delivered
    bundles = [
        dict(made.wildcards)["model"] for made in the_plan.graph.targets() if made.rule == "export_model"
    ]
    assert bundles == the_plan.roster.models  # `ascflow predict` works after any run
    assert ("predict_model", "table") not in delivered
