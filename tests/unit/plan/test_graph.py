"""ascflow.plan.graph: what each job of a run reads (the same graph as
Snakemake's: tests/workflow/test_job_graph.py)."""

from __future__ import annotations

from plans import plan, swept


def reads(made) -> list:
    return made if isinstance(made, list) else [made]


def test_only_the_evaluation_reads_the_test_set():
    for the_plan in (plan({"refit": True}), swept({"cv": {"folds": 2}})):
        model_jobs = [job for job in the_plan.graph.jobs() if "model" in job.wildcards]
        for job in model_jobs:
            if job.rule in ("predict_model", "export_model"):
                continue
            files = [
                made
                for value in the_plan.graph.inputs(job.rule, job.wildcards["model"]).values()
                for made in reads(value)
            ]
            test_split = [
                made for made in files if dict(made.wildcards).get("split") == "test" or "test_" in made.name
            ]
            # The deployed measurement scores the exported bundle, which the evaluation checked first.
            assert bool(test_split) == (job.rule in ("evaluate_model", "measure_deployed")), (job, test_split)
    reference = plan({"validation": {"mode": "test"}})
    assert "test_features" in reference.graph.inputs("train_network", "cnn")


def test_only_the_runs_that_validate_read_the_groups():
    graph = plan({"refit": True}).graph
    assert "groups" in graph.inputs("train_network", "cnn") and "groups" in graph.inputs(
        "cross_validate", "cnn"
    )
    assert "groups" not in graph.inputs("train_forest", "rf_10")
    assert "groups" not in graph.inputs("refit_network", "cnn")
    assert "groups" in swept().graph.inputs("train_forest", "rf_10_max_features-0.3")


def test_the_evaluation_scores_the_refit_network_or_the_chosen_variant():
    refit = plan({"refit": True}).graph
    evaluated = refit.inputs("evaluate_model", "cnn")
    assert [made.rule for made in evaluated["model"]] == ["refit_network"]
    assert refit.inputs("refit_network", "cnn")["chosen"].rule == "train_network"
    kept = plan({"refit": False}).graph.inputs("evaluate_model", "cnn")
    assert [made.rule for made in kept["model"]] == ["train_network"] and "selection" not in kept
    graph = swept({"refit": False}).graph
    runs = [dict(made.wildcards)["model"] for made in graph.inputs("evaluate_model", "cnn")["model"]]
    assert runs == ["cnn_learning_rate-0.001", "cnn_learning_rate-0.01"]
    assert graph.inputs("evaluate_model", "cnn")["selection"].rule == "select_variant"
    assert (
        graph.inputs("export_model", "rf_10")["selection"]
        == graph.inputs("evaluate_model", "rf_10")["selection"]
    )
    assert graph.inputs("export_model", "cnn")["metrics"].rule == "evaluate_model"


def test_a_sweep_chooses_on_validation_only():
    graph = swept({"cv": {"folds": 3}, "refit": True}).graph
    chosen = graph.inputs("select_variant", "cnn")
    assert len(chosen["infos"]) == 2 and len(chosen["folds"]) == 2 * 3
    assert graph.inputs("refit_network", "cnn")["chosen"].rule == "select_variant"


def test_the_models_nothing_reads_are_the_validation_runs_of_refitted_networks():
    unread = plan({"refit": True}).graph.unread_models()
    assert [(model.rule, dict(model.wildcards)["model"]) for model, _ in unread] == [
        ("train_network", "cnn"),
        ("train_network", "lstm"),
    ]
    assert [info.name for _, info in unread] == ["info", "info"]
    assert plan({"refit": False}).graph.unread_models() == []
