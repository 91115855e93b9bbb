"""ascflow.plan.results: one results folder, one config."""

from __future__ import annotations

from ascflow.plan.results import config_differences, regenerates_report, results_sentence


def test_the_differences_are_the_dotted_keys_whose_values_differ():
    recorded = {"seed": 1, "cnn": {"epochs": 2, "batch_size": 16}, "rf": {"n_estimators": [10]}}
    current = {"seed": 1, "cnn": {"epochs": 3, "batch_size": 16}, "rf": {"n_estimators": [10, 50]}, "x": 0}
    assert config_differences(recorded, current) == ["cnn.epochs", "rf.n_estimators", "x"]
    assert config_differences(recorded, recorded) == []
    # What to classify or where to log changes no result.
    assert config_differences(recorded, {**recorded, "predict_dir": "new/", "mlflow_experiment": "x"}) == []


def test_only_a_report_or_a_forced_report_regenerates():
    report = regenerates_report(["snakemake", "--report", "reports/report.html"])
    assert report.startswith("snakemake --report")
    assert regenerates_report(["snakemake", "--report=r.html"])
    assert regenerates_report(["snakemake", "-n", "--forcerun", "render_report"]).endswith("render_report")
    assert regenerates_report(["snakemake", "-R", "train_network", "render_report"])
    assert regenerates_report(["snakemake", "--cores", "8"]) is None
    assert regenerates_report(["snakemake", "--forcerun", "train_network"]) is None


def test_the_sentence_names_the_keys_and_the_config_to_pass():
    regenerating = results_sentence(["cnn.epochs"], "snakemake --report reports/report.html")
    assert regenerating == (
        "results/ hold the run of another config than this one (it differs in cnn.epochs); to regenerate "
        "their report, pass the config that made them: snakemake --report reports/report.html "
        "--configfile results/config.yaml"
    )
    many = results_sentence([f"k{n}" for n in range(7)], None)
    assert "k0, k1, k2, k3, k4 and 2 more" in many and many.endswith("holds the old config).")
