"""ascflow.stages.runtime: a stage's request built from Snakemake's object of
a job, and the one call every rule script makes."""

from __future__ import annotations

import ast
import dataclasses
import json
import os
import re
import subprocess
import sys
import typing
from types import SimpleNamespace

import pytest
from ascflow.models.settings import ForestSettings, network_settings
from ascflow.stages.count import CountParameters
from ascflow.stages.crossval import CrossValidate
from ascflow.stages.runtime import (
    TRACKING_PARAMS,
    Runtime,
    request_from,
    run_stage,
    stage_function,
    unknown_params,
)
from ascflow.stages.train import TrainModel
from snakemake.iocontainers import InputFiles, OutputFiles, Params, Wildcards
from support import REPO

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


def snakemake_object(tmp_path, inputs=None, outputs=None, params=None, wildcards=None, threads=1, rule="job"):
    """What Snakemake hands a rule script, with the same containers."""
    return SimpleNamespace(
        input=InputFiles(fromdict=inputs or {}),
        output=OutputFiles(fromdict=outputs or {}),
        params=Params(fromdict=params or {}),
        wildcards=Wildcards(fromdict=wildcards or {}),
        threads=threads,
        log=[str(tmp_path / "logs" / "job.log")],
        scriptdir=str(tmp_path / "workflow" / "scripts"),
        rule=rule,
    )


def test_a_request_takes_each_field_from_the_item_of_its_name(tmp_path):
    job = snakemake_object(
        tmp_path,
        inputs={"features": "f.npy", "labels": "y.npy", "summary": "s.json", "code": ["a.py", "b.py"]},
        outputs={"model": "m.keras", "history": "h.csv", "info": "i.json"},
        params={"settings": LSTM, "seed": 3, "validation": {"mode": "holdout"}, "code": "0" * 64},
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


def test_a_param_no_field_takes_is_a_bug_that_names_rule_stage_name_and_fields(tmp_path):
    job = snakemake_object(
        tmp_path,
        inputs={"features": "f.npy", "labels": "y.npy", "summary": "s.json"},
        outputs={"model": "m.joblib", "info": "i.json"},
        params={"settings": FOREST, "seeed": 3, "code": "0" * 64},  # seed, misspelt
        wildcards={"model": "rf_10"},
        rule="train_forest",
    )
    with pytest.raises(TypeError) as raised:
        request_from(job, TrainModel, "train:fit_forest_job")
    message = str(raised.value)
    assert message.startswith(
        "rule train_forest (stage train:fit_forest_job): param 'seeed' is taken by no field"
    )
    assert "TrainingSettings (the settings of TrainModel), whose fields are model, settings, seed," in message
    assert "'code'" not in message  # a tracking-only param is no error
    # The same job with the param spelt right builds its request.
    job.params = Params(fromdict={"settings": FOREST, "seed": 3, "code": "0" * 64})
    assert request_from(job, TrainModel).settings.seed == 3


def test_a_request_without_settings_takes_tracking_params_only(tmp_path):
    from ascflow.stages.evaluate import SummarizeFolds

    parts = {"inputs": {"folds": "one.json"}, "outputs": {"folds": "t.tsv"}}
    assert request_from(snakemake_object(tmp_path, **parts, params={"code": "c"}), SummarizeFolds)
    with pytest.raises(
        TypeError, match=r"param 'model' is taken by no field of SummarizeFolds, which takes no"
    ):
        request_from(
            snakemake_object(tmp_path, **parts, params={"code": "c", "model": "rf_10"}), SummarizeFolds
        )


def test_a_wildcard_no_field_takes_is_only_part_of_the_path(tmp_path):
    from ascflow.stages.features import MakeFeatures

    job = snakemake_object(
        tmp_path,
        inputs={"clips": "X_train.npy", "summary": "s.json"},
        outputs={"features": "results/features/flat/train.npy"},
        params={"standardize": "per_band", "time_major": "transpose", "code": "c"},
        wildcards={"layout": "flat", "split": "train"},  # no field takes the split
    )
    assert request_from(job, MakeFeatures).settings.layout == "flat"


def test_run_stage_fails_loudly_on_an_unknown_param(tmp_path):
    job = snakemake_object(
        tmp_path,
        inputs={"folds": [str(tmp_path / "fold1.json")]},
        outputs={"folds": str(tmp_path / "t.tsv")},
        params={"code": "c", "n_fold": 2},
        rule="summarize_folds",
    )
    with pytest.raises(
        TypeError, match=r"rule summarize_folds \(stage evaluate:summarize_folds\): param 'n_fold'"
    ):
        run_stage(job, "evaluate:summarize_folds")
    # A bug, not a user's problem: the exception itself leaves the job (its
    # traceback then lands in the log), not a one-sentence exit.
    assert not (tmp_path / "t.tsv").exists()


def rule_params() -> dict[str, tuple[str, list[str]]]:
    """Each rule of workflow/rules/*.smk that runs a stage: the stage its
    script names and the names of its params, read from the files' text."""
    rules = {}
    for smk in sorted((REPO / "workflow" / "rules").glob("*.smk")):
        for block in re.split(r"\n(?=(?:rule|checkpoint) )", smk.read_text()):
            rule = re.match(r"(?:rule|checkpoint) (\w+):", block)
            script = re.search(r'\n    script:\n\s+"([^"]+)"', block)
            if not (rule and script):
                continue
            params = re.search(r"\n    params:\n((?:        .*\n|\s*\n)+)", block)
            names = re.findall(r"^        (\w+)\s*=", params.group(1), re.M) if params else []
            calls = ast.walk(ast.parse((smk.parent / script.group(1)).resolve().read_text()))
            stage = next(
                call.args[1].value
                for call in calls
                if isinstance(call, ast.Call) and getattr(call.func, "id", None) == "run_stage"
            )
            rules[rule.group(1)] = (stage, names)
    return rules


def test_every_rule_passes_only_params_its_request_takes():
    rules = rule_params()
    assert {
        "train_forest",
        "train_network",
        "cross_validate",
        "refit_network",
        "select_variant",
    } <= rules.keys()
    assert "seed" in rules["train_forest"][1] and "code" in rules["train_forest"][1]  # the params were read
    unknown = {
        rule: unknown_params(stage_function(stage)[1], names)
        for rule, (stage, names) in rules.items()
        if unknown_params(stage_function(stage)[1], names)
    }
    assert unknown == {}


def test_tracking_params_are_no_field_of_any_stage():
    """A tracking-only name that a request took would be read after all."""
    for stage, _ in rule_params().values():
        settings = typing.get_type_hints(stage_function(stage)[1]).get("settings")
        if settings is not None:
            assert not TRACKING_PARAMS & {field.name for field in dataclasses.fields(settings)}, stage


def test_progress_lines_reach_the_terminal_and_the_log_detail_the_log_alone(tmp_path):
    """In a process of its own, as a job: the log takes over its stderr."""
    log_path = tmp_path / "job.log"
    job = (
        "from ascflow.stages.runtime import progress_log, rule_logging\n"
        f"with rule_logging({str(log_path)!r}) as logger:\n"
        "    progress_log('cnn').info('epoch %d/%d', 1, 50)\n"
        "    logger.info('detail for the log')\n"
    )
    terminal = subprocess.run([sys.executable, "-c", job], capture_output=True, text=True, check=True)
    assert terminal.stderr.splitlines() == ["cnn: epoch 1/50"]
    log = log_path.read_text()
    assert "ascflow.progress: cnn: epoch 1/50" in log and "detail for the log" in log
