"""Reading the results: what gather_results refuses to mix, and its readers."""

from __future__ import annotations

import json

import numpy as np
import pytest
from ascflow.errors import AscflowError
from ascflow.evaluation import wilson_interval
from ascflow.models.splits import holdout_split
from ascflow.report import reference
from ascflow.report.gather import (
    git_commit,
    read_benchmarks,
    read_parameter_tables,
    read_runs,
    validation_facts,
    with_keras_counts,
)
from ascflow.report.sections.parameter_counts import network_table
from fake_results import (
    CONFIG,
    fake_params,
    fake_predictions,
    gather,
    with_complexity_budget,
    write_fake_results,
)


def test_network_counts_that_are_not_the_trained_models_are_refused(tmp_path):
    inputs = write_fake_results(tmp_path, CONFIG)
    with_complexity_budget(inputs, cnn_parameters=562_160)
    with pytest.raises(AscflowError, match=r"^cnn: Keras counted 562159 parameters in the trained model"):
        gather(inputs)


def test_predictions_of_another_model_are_refused(tmp_path):
    inputs = write_fake_results(tmp_path, CONFIG)
    inputs["predictions"] = fake_predictions(inputs, tmp_path, labelled=False)
    stale = inputs["predictions"][3]
    stale.write_text(json.dumps({**json.loads(stale.read_text()), "settings_digest": "other"}))
    with pytest.raises(AscflowError, match=rf"^{stale}: was predicted by another model than this run's cnn"):
        gather(inputs)


def test_summary_table_that_disagrees_with_the_metrics_is_refused(tmp_path):
    inputs = write_fake_results(tmp_path, CONFIG)
    with pytest.raises(AscflowError, match="which this run did not train"):
        read_runs(inputs["metrics"][:2], inputs["summary_table"])
    stale = inputs["metrics"][2]
    stale.write_text(json.dumps({**json.loads(stale.read_text()), "accuracy": 0.5}))
    with pytest.raises(AscflowError, match="summary.tsv: its row for rf_100 does not match"):
        read_runs(inputs["metrics"], inputs["summary_table"])


def test_readers_of_benchmarks_params_and_git(tmp_path):
    inputs = write_fake_results(tmp_path, CONFIG)
    jobs = read_benchmarks(inputs["benchmarks"])
    assert [(job["rule"], job["job"]) for job in jobs] == [("train_forest", "rf_10"), ("validate_data", "")]
    assert jobs[0]["max_rss_mb"] == 512.0 and jobs[1]["seconds"] == 0.76
    tables = read_parameter_tables(inputs["parameters"])
    assert tables["networks"]["reference_mlp"]["total_closed_form"] == reference.PARAMETERS["reference_mlp"]
    (tmp_path / "bad.json").write_text(json.dumps({"networks": {"cnn": {}}}))
    with pytest.raises(AscflowError, match="bad.json"):
        read_parameter_tables(tmp_path / "bad.json")
    assert git_commit(tmp_path) is None


def test_keras_column_comes_from_the_trained_networks():
    params = fake_params()
    # A network named as the trained family; the others no run trains.
    params["networks"]["cnn"] = json.loads(json.dumps(params["networks"]["image_cnn_valid"]))
    cnn_layers = params["networks"]["cnn"]["layers"]
    trained = {layer["layer"]: layer["params_closed_form"] for layer in cnn_layers}
    runs = [
        {"model": "rf_10", "family": "rf", "layer_params": None},
        {"model": "cnn_seed1", "family": "cnn", "layer_params": trained},
        {"model": "cnn_seed2", "family": "cnn", "layer_params": trained},
    ]
    counted = with_keras_counts(params, runs)["networks"]
    assert [layer["params_keras"] for layer in counted["cnn"]["layers"]] == list(trained.values())
    assert (
        counted["cnn"]["total_keras"] == sum(trained.values())
        and counted["cnn"]["keras_model"] == "cnn_seed1"
    )
    untrained = [name for name in counted if name != "cnn"]
    assert all(counted[name]["total_keras"] is None for name in untrained)
    caption = {name: network_table(name, network).caption for name, network in counted.items()}
    assert "the trained model cnn_seed1's own counts" in caption["cnn"]
    assert "the test suite checks its Keras counts" in caption[untrained[0]]

    first_layer = cnn_layers[0]["layer"]
    runs[1]["layer_params"] = {**trained, first_layer: trained[first_layer] + 1}
    with pytest.raises(AscflowError, match=r"^cnn: Keras's per-layer counts of the trained model cnn_seed1"):
        with_keras_counts(params, runs)


def test_report_refuses_metrics_of_other_data_or_settings(tmp_path):
    inputs = write_fake_results(tmp_path, CONFIG)
    digests = {path.stem: f"digest of {path.stem}" for path in inputs["metrics"]}
    assert len(gather(inputs, settings_digests=digests).runs) == len(digests)
    stale = inputs["metrics"][3]
    run = json.loads(stale.read_text())
    stale.write_text(json.dumps({**run, "settings_digest": "other"}))
    with pytest.raises(
        AscflowError, match=rf"^{stale}: was made with other settings than the config gives cnn"
    ):
        gather(inputs, settings_digests=digests)
    stale.write_text(json.dumps({**run, "data_fingerprint": "0" * 64}))
    with pytest.raises(AscflowError, match=rf"^{stale}: was made from other data than"):
        gather(inputs)


def test_validation_is_sized_as_training_split_it(tmp_path):
    """The metrics do not record how many clips the validation accuracy
    counts: the report splits the training labels again as training did
    (grouped by recording here) and gives the Wilson interval of that size."""
    inputs = write_fake_results(tmp_path, CONFIG)
    results = gather(inputs)
    groups = np.load(inputs["train_groups"])
    held_out = holdout_split(np.load(inputs["train_labels"]), 0.1, CONFIG["seed"], groups)[1]
    assert set(results.validation) == {"cnn", "lstm"} and 0 < held_out.size < 600
    cnn = results.validation["cnn"]
    assert cnn["n"] == held_out.size
    assert (cnn["ci95_low"], cnn["ci95_high"]) == wilson_interval(round(0.45 * held_out.size), held_out.size)
    on_test = [{**results.runs[3], "validation": "test"}]
    assert validation_facts(on_test, None, None)["cnn"]["n"] == 200  # the test clips
    assert validation_facts(results.runs, None, None) == {}  # without the training labels: not known
