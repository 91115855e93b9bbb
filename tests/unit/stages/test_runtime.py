"""ascflow.stages.runtime: a stage's request built from Snakemake's object of
a job, and the one call every rule script makes."""

from __future__ import annotations

import json
import os
from types import SimpleNamespace

import pytest
from ascflow.models.settings import ForestSettings, network_settings
from ascflow.stages.count import CountParameters
from ascflow.stages.crossval import CrossValidate
from ascflow.stages.runtime import Runtime, request_from, run_stage
from ascflow.stages.train import TrainModel
from snakemake.iocontainers import InputFiles, OutputFiles, Params, Wildcards

#: The config's lstm section, as the plan passes it to the network's rules.
LSTM = {
    "units": 4,
    "kernel_initializer": "he_uniform",
    "time_major": "transpose",
    "learning_rate": 0.001,
    "batch_size": 32,
    "epochs": 2,
}
FOREST = {"n_estimators": 10, "max_features": "sqrt", "min_samples_leaf": 1}


def snakemake_object(tmp_path, inputs=None, outputs=None, params=None, wildcards=None, threads=1):
    """What Snakemake hands a rule script, with the same containers."""
    return SimpleNamespace(
        input=InputFiles(fromdict=inputs or {}),
        output=OutputFiles(fromdict=outputs or {}),
        params=Params(fromdict=params or {}),
        wildcards=Wildcards(fromdict=wildcards or {}),
        threads=threads,
        log=[str(tmp_path / "logs" / "job.log")],
        scriptdir=str(tmp_path / "workflow" / "scripts"),
    )


def test_a_request_takes_each_field_from_the_item_of_its_name(tmp_path):
    job = snakemake_object(
        tmp_path,
        inputs={"features": "f.npy", "labels": "y.npy", "summary": "s.json", "code": ["a.py", "b.py"]},
        outputs={"model": "m.keras", "history": "h.csv", "info": "i.json"},
        params={"settings": LSTM, "seed": 3, "validation": {"mode": "holdout"}, "unused": 1},
        wildcards={"model": "lstm"},
        threads=64,
    )
    request = request_from(job, TrainModel)
    assert isinstance(request, TrainModel)
    assert (request.inputs.features, request.inputs.groups, request.inputs.test_features) == (
        "f.npy",
        None,
        None,
    )
    assert request.outputs.history == "h.csv"
    assert (request.settings.model, request.settings.seed, request.settings.settings) == (
        "lstm",
        3,
        network_settings("lstm", LSTM),  # typed once, here, by the model's family
    )
    assert request.settings.gpu == "auto" and request.settings.work_dir == ""  # not given: the defaults
    assert request.runtime == Runtime(
        threads=min(64, len(os.sched_getaffinity(0))), workflow_dir=str(tmp_path / "workflow")
    )


def test_wildcards_become_numbers_and_a_lone_file_a_list(tmp_path):
    job = snakemake_object(
        tmp_path,
        inputs={"features": "f.npy", "labels": "y.npy", "summary": "s.json", "groups": "g.npy"},
        outputs={"fold": "fold2.json"},
        params={"settings": FOREST, "seed": 1, "n_folds": 3},
        wildcards={"model": "rf_10", "fold": "2"},
    )
    request = request_from(job, CrossValidate)
    assert request.settings.fold == 2 and request.settings.n_folds == 3
    assert request.settings.settings == ForestSettings(10, "sqrt", 1)
    from ascflow.stages.evaluate import SummarizeFolds

    folds = request_from(
        snakemake_object(tmp_path, inputs={"folds": "one.json"}, outputs={"folds": "t.tsv"}), SummarizeFolds
    )
    assert folds.inputs.folds == ["one.json"]


def test_a_rest_field_takes_the_outputs_no_other_field_names(tmp_path):
    job = snakemake_object(
        tmp_path,
        inputs={"summary": "s.json"},
        outputs={"counts": "params.json", "cnn": "cnn.tsv", "lstm": "lstm.tsv"},
        params={"cnn": {"pool_size": 2}, "lstm": {"units": 4}, "complexity_limits": {}},
    )
    request = request_from(job, CountParameters)
    assert request.outputs.tables == {"cnn": "cnn.tsv", "lstm": "lstm.tsv"}


def test_a_missing_required_item_is_a_bug_that_names_the_field(tmp_path):
    with pytest.raises(TypeError, match="labels"):
        request_from(
            snakemake_object(tmp_path, inputs={"features": "f.npy", "summary": "s.json"}), TrainModel
        )


def test_run_stage_logs_and_writes(tmp_path):
    folds = [tmp_path / f"fold{k}.json" for k in (1, 2)]
    for k, path in enumerate(folds, 1):
        path.write_text(json.dumps({"model": "rf_10", "fold": k, "accuracy": 0.5}))
    table = tmp_path / "folds.tsv"
    job = snakemake_object(
        tmp_path, inputs={"folds": [str(path) for path in folds]}, outputs={"folds": str(table)}
    )
    run_stage(job, "evaluate:summarize_folds")
    assert table.read_text().splitlines() == ["model\tfold\taccuracy", "rf_10\t1\t0.5", "rf_10\t2\t0.5"]
    assert (tmp_path / "logs" / "job.log").is_file()


def test_a_users_problem_ends_the_job_with_its_sentence_in_the_log(tmp_path, capfd):
    job = snakemake_object(
        tmp_path, inputs={"folds": [str(tmp_path / "absent.json")]}, outputs={"folds": "t.tsv"}
    )
    with pytest.raises(SystemExit) as exited:
        run_stage(job, "evaluate:summarize_folds")
    assert exited.value.code == 1
    log = (tmp_path / "logs" / "job.log").read_text()
    assert "absent.json: cannot read it as JSON" in log and "Traceback" not in log
    assert not (tmp_path / "t.tsv").exists()
