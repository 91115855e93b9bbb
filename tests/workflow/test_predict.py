"""Using the trained models, through Snakemake's command line: a study on a
DCASE-layout folder (the example audio, made small), then the predict target
on new recordings of the same scenes (another rate, stereo, in folders below
PATH, with devices); the console command from another folder; the models
trained on arrays classifying their own test clips as the evaluation did;
and bad input named in one sentence with the models untouched."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from ascflow.data.synthetic_audio import SyntheticRecordings, write_audio_folder
from ascflow.files import file_digest
from support import REPO as REPOSITORY
from support import TINY_AUDIO, TINY_CONFIG, copy_run, one_sentence, read_metrics, snakemake, tiny_args

MODELS = ["rf_10", "rf_50", "rf_100", "cnn", "lstm"]
#: config/audio-example.yaml made small: 3 scenes, 8 training and 4 test recordings each.
EXAMPLE = {"write": True, "n_classes": 3, "n_train": 8, "n_test": 4, "seconds": 1, "sample_rate": 8000}
SEED = yaml.safe_load(TINY_CONFIG.read_text())["seed"]


def model_state(workdir: Path) -> dict[str, tuple[int, str]]:
    """Every trained model file's modification time and digest."""
    return {
        path.name: (path.stat().st_mtime_ns, file_digest(path))
        for path in sorted((workdir / "results/models").glob("*"))
        if path.suffix in (".keras", ".joblib")
    }


def new_recordings(folder: Path) -> Path:
    """New recordings of the study's scenes (its seed; other locations and
    clips), at 16 kHz in stereo and 1.3 s long, so that each is resampled,
    mixed down and cut; one scene's in a folder below audio/; a meta.csv
    with their labels and a source_label (device) column, as DCASE's."""
    new_recordings = SyntheticRecordings(
        n_classes=3,
        n_train=0,
        n_test=6,
        seconds=1.3,
        sample_rate=16000,
        channels=2,
        seed=SEED,
        recording_seed=SEED + 1,
    )
    write_audio_folder(folder, new_recordings)
    (folder / "split.csv").unlink()
    rows = []
    for index, line in enumerate((folder / "meta.csv").read_text().splitlines()[1:]):
        name, label, identifier = line.split("\t")
        if label == "bus":
            moved = name.replace("audio/", "audio/site2/")
            (folder / moved).parent.mkdir(exist_ok=True)
            (folder / name).rename(folder / moved)
            name = moved
        rows.append(f"{name}\t{label}\t{identifier}\t{'ab'[index % 2]}")
    (folder / "meta.csv").write_text(
        "filename\tscene_label\tidentifier\tsource_label\n" + "\n".join(rows) + "\n"
    )
    return folder


@dataclass
class Study:
    workdir: Path
    args: list[str]
    new: Path
    predicted: subprocess.CompletedProcess
    models_before: dict


def predict_args(args: list[str], folder: Path) -> list[str]:
    return ["predict", *args, "--config", f"predict_dir={folder}"]


@pytest.fixture(scope="module")
def study(tmp_path_factory) -> Study:
    """The tiny audio study, then `snakemake predict` on new recordings."""
    root = tmp_path_factory.mktemp("predict")
    workdir = root / "run"
    workdir.mkdir()
    overrides = root / "audio.yaml"
    overrides.write_text(
        yaml.safe_dump(
            {
                "audio_dir": "resources/example-audio",
                "example_audio": EXAMPLE,
                "audio": TINY_AUDIO | {"chunk_files": 12},
            }
        )
    )
    args = ["--configfile", str(TINY_CONFIG), str(overrides), "--cores", "2"]
    snakemake(workdir, *args)
    before = model_state(workdir)
    new = new_recordings(root / "new")
    predicted = snakemake(workdir, *predict_args(args, new))
    return Study(workdir, args, new, predicted, before)


def jobs_run(result: subprocess.CompletedProcess) -> dict[str, int]:
    """How many jobs of each rule a run started (its 'rule NAME:' lines; the
    first job table misses the jobs a checkpoint adds)."""
    names = re.findall(r"^(?:local)?rule (\w+):$", result.stdout + result.stderr, re.M)
    return {name: names.count(name) for name in names}


def read_table(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, sep="\t", dtype={"filename": str})


def test_predict_writes_every_models_table_and_trains_nothing(study):
    listed = [line.split("\t")[0] for line in (study.new / "meta.csv").read_text().splitlines()[1:]]
    assert any(name.startswith("audio/site2/") for name in listed)
    for model in MODELS:
        table = read_table(study.workdir / f"results/predict/{model}.tsv")
        classes = list(table.columns[2:])
        assert list(table.columns[:2]) == ["filename", "scene_label"] and classes == [
            "beach",
            "bus",
            "cafe/restaurant",
        ]
        assert sorted(table["filename"]) == sorted(listed)
        probabilities = table[classes].to_numpy()
        np.testing.assert_allclose(probabilities.sum(axis=1), 1, atol=1e-5)
        assert table["scene_label"].tolist() == [classes[k] for k in probabilities.argmax(axis=1)]
        facts = json.loads((study.workdir / f"results/predict/{model}.json").read_text())
        assert (
            facts["extraction"]["resampled"]
            == facts["extraction"]["mixed_down"]
            == facts["extraction"]["cut"]
            == 18
        )
    ran = jobs_run(study.predicted)
    assert ran["predict_model"] == 5 and ran["extract_predict_chunk"] == 2
    # The run before exported every bundle already: predict only reads them.
    assert (study.workdir / "results/export/cnn/manifest.json").is_file()
    assert not {"export_model", "train_forest", "train_network", "evaluate_model", "validate_data"} & set(ran)
    assert model_state(study.workdir) == study.models_before
    again = snakemake(study.workdir, "-n", *predict_args(study.args, study.new))
    assert "Nothing to be done" in again.stdout + again.stderr


def test_best_model_labels_the_new_recordings_about_as_well_as_the_test_set(study):
    metrics = read_metrics(study.workdir)
    best = max(MODELS, key=lambda model: metrics[model]["accuracy"])
    new = json.loads((study.workdir / f"results/predict/{best}.json").read_text())
    test = metrics[best]
    assert new["labelled"] and new["n_test"] == 18
    assert new["ci95_low"] <= test["ci95_high"] and test["ci95_low"] <= new["ci95_high"]
    assert new["accuracy"] > 1 / 3  # better than chance on scenes it never heard recorded there
    assert set(new["per_device"]) == {"a", "b"} and sum(d["n"] for d in new["per_device"].values()) == 18
    report = (study.workdir / "reports/report.md").read_text()
    section = report.split("## New recordings\n", 1)[1].split("\n## ", 1)[0]
    assert (
        f"The best model on the test set, {best}, labels the new recordings with accuracy "
        f"{new['accuracy']:.4f}" in section
    )
    assert "about as well as the test set" in section and "Accuracy per source_label" in section


def test_report_shows_log_loss_and_the_complexity_budget(study):
    report = (study.workdir / "reports/report.md").read_text()
    accuracy = report.split("## Accuracy on the test set\n", 1)[1].split("\n## ", 1)[0]
    assert "| macro-F1 | log loss |" in accuracy
    budget = report.split("## Complexity budget\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in budget.splitlines() if line.startswith("| ") and not line.startswith("| model")]
    assert [row.split(" | ")[0].strip("| ") for row in rows] == MODELS
    assert "a clip is 1 s of audio (the clip length the recordings were cut to)" in budget
    params = json.loads((study.workdir / "results/params/params.json").read_text())
    metrics = read_metrics(study.workdir)
    for family in ("cnn", "lstm"):
        # The closed form's count is Keras's count of the trained model.
        assert params["complexity"]["networks"][family]["parameters"] == metrics[family]["n_params"]
    assert "log_loss" in (study.workdir / "results/metrics/summary.tsv").read_text().splitlines()[0].split(
        "\t"
    )


def console_predict(folder: Path, *arguments: str) -> subprocess.CompletedProcess:
    """``ascflow predict ARGUMENTS`` run in ``folder``, with the package on
    the path and nothing else of the project's."""
    return subprocess.run(
        [sys.executable, "-m", "ascflow", "predict", *arguments],
        cwd=folder,
        env={**os.environ, "PYTHONPATH": str(REPOSITORY / "workflow")},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_console_command_reproduces_the_cnn_table_from_another_folder(study, tmp_path):
    """The bundle carried elsewhere, the command run there: the same table,
    byte for byte, and no other line."""
    bundle = shutil.copytree(study.workdir / "results/export/cnn", tmp_path / "carried" / "cnn")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = console_predict(elsewhere, str(bundle), str(study.new), "-o", "cnn.tsv")
    assert result.returncode == 0, result.stderr
    assert (elsewhere / "cnn.tsv").read_bytes() == (study.workdir / "results/predict/cnn.tsv").read_bytes()
    # Nothing but the table: not one of TensorFlow's log lines without --verbose.
    assert result.stderr == "" and result.stdout == ""


def test_exported_runtimes_classify_from_another_folder_and_change_only_the_predictions(study, tmp_path):
    """The networks' int8 LiteRT and ONNX models, as the workflow exported
    them, carried elsewhere: `ascflow predict --runtime litert` and
    `--runtime onnx` label the new recordings as the Keras tables do (ONNX
    to float rounding, int8 on most files); predict_runtime re-runs only
    the networks' predictions."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for model, runtime in (("cnn", "litert"), ("lstm", "onnx"), ("lstm", "litert")):
        bundle = tmp_path / "carried" / model
        if not bundle.exists():
            shutil.copytree(study.workdir / "results/export" / model, bundle)
        manifest = json.loads((bundle / "manifest.json").read_text())
        assert manifest["format_version"] == 2 and manifest["runtimes"]["litert"]["representative_clips"] > 0
        result = console_predict(
            elsewhere, "--runtime", runtime, str(bundle), str(study.new), "-o", f"{model}-{runtime}.tsv"
        )
        assert result.returncode == 0, result.stderr
        assert result.stderr == "" and result.stdout == ""
        found = read_table(elsewhere / f"{model}-{runtime}.tsv")
        expected = read_table(study.workdir / f"results/predict/{model}.tsv")
        assert found["filename"].tolist() == expected["filename"].tolist()
        probabilities, keras_probabilities = found.iloc[:, 2:].to_numpy(), expected.iloc[:, 2:].to_numpy()
        if runtime == "onnx":
            np.testing.assert_allclose(probabilities, keras_probabilities, atol=1e-4)
        else:
            assert (found["scene_label"] == expected["scene_label"]).mean() >= 0.7
    planned = snakemake(
        study.workdir, *predict_args(study.args, study.new), "predict_runtime=onnx", "-n", "--quiet", "rules"
    )
    jobs = jobs_run(planned) or dict(re.findall(r"^(\w+)\s+(\d+)$", planned.stdout, re.M))
    assert set(jobs) - {"total"} <= {"predict_model", "predict", "render_report", "render_figures"}, jobs
    assert int(jobs["predict_model"]) == 2  # the CNN's and the LSTM's, not the forests'


def test_bad_recording_or_bundle_is_one_sentence_and_keeps_models_and_tables(study, tmp_path):
    """Last of the tests on the study, which it changes: a copy of an audio
    run would extract again (the recordings' inodes are part of their state)."""
    workdir = study.workdir
    tables = {path.name: path.read_bytes() for path in (workdir / "results/predict").glob("*.tsv")}
    broken = Path(shutil.copytree(study.new, tmp_path / "broken"))
    victim = broken / "audio/beach_00_1.wav"
    victim.write_bytes(b"RIFF but not a wave file" * 8)
    result = snakemake(workdir, *predict_args(study.args, broken), check=False)
    assert re.fullmatch(
        rf"ascflow: {re.escape(str(victim))}: cannot be read as audio \(.+\)\.", one_sentence(result)
    )
    assert {path.name: path.read_bytes() for path in (workdir / "results/predict").glob("*.tsv")} == tables
    assert model_state(workdir) == study.models_before

    model = workdir / "results/export/cnn/model.keras"
    model.write_bytes(model.read_bytes() + b"\0")
    (workdir / "results/predict/cnn.tsv").unlink()
    result = snakemake(
        workdir, "results/predict/cnn.tsv", *study.args, "--config", f"predict_dir={study.new}", check=False
    )
    assert re.fullmatch(
        r"ascflow: results/export/cnn/model\.keras: does not match the SHA-256 the bundle's manifest "
        r"records .*",
        one_sentence(result),
    )
    assert not (workdir / "results/predict/cnn.tsv").exists() and model_state(workdir) == study.models_before


# ---- models trained on arrays ----------------------------------------------------


def test_array_models_classify_their_test_clips_as_the_evaluation_did(tiny_run, tmp_path):
    """The test set's clips through the bundles: the probabilities and the
    scores the evaluation computed, so the bundle prepares clips as
    training did; then an X.npy of another shape stops before any job."""
    workdir = copy_run(tiny_run, tmp_path / "run")
    before = model_state(workdir)
    folder = tmp_path / "clips"
    folder.mkdir()
    shutil.copy(workdir / "resources/default/X_test.npy", folder / "X.npy")
    classes = (workdir / "resources/default/classes.txt").read_text().split()
    labels = np.load(workdir / "resources/default/y_test.npy")
    (folder / "meta.csv").write_text(
        "filename\tscene_label\n" + "".join(f"{row}\t{classes[label]}\n" for row, label in enumerate(labels))
    )
    result = snakemake(workdir, *predict_args(tiny_args(), folder))
    ran = jobs_run(result)
    assert ran["predict_model"] == 5 and not {"train_forest", "train_network", "evaluate_model"} & set(ran)
    metrics = read_metrics(workdir)
    for model in MODELS:
        table = read_table(workdir / f"results/predict/{model}.tsv")
        assert table["filename"].tolist() == [str(row) for row in range(labels.size)]
        evaluated = np.load(workdir / f"results/predictions/{model}.npy")
        np.testing.assert_allclose(table.iloc[:, 2:].to_numpy(), evaluated, atol=1e-6)
        facts = json.loads((workdir / f"results/predict/{model}.json").read_text())
        assert facts["accuracy"] == metrics[model]["accuracy"]
        assert facts["log_loss"] == pytest.approx(metrics[model]["log_loss"], rel=1e-5)
    assert model_state(workdir) == before

    np.save(folder / "X.npy", np.zeros((3, 40, 501), dtype=np.float32))
    result = snakemake(workdir, *predict_args(tiny_args(), folder), check=False)
    assert one_sentence(result) == (
        f"ascflow: {folder}/X.npy: clips are 40 x 501 (features x frames) but results/export/rf_10 was "
        "trained on 12 x 40."
    )
    assert model_state(workdir) == before and (workdir / "results/predict/cnn.tsv").is_file()


PATH_ERRORS = {
    "no-predict-dir": (lambda tmp: None, r"config key predict_dir: is empty; name the folder to classify .*"),
    "missing": (lambda tmp: tmp / "nowhere", r"\S+/nowhere: no such folder\."),
    "empty": (lambda tmp: (tmp / "empty").mkdir() or tmp / "empty", r"\S+/empty: has no X\.npy .*"),
}


@pytest.mark.parametrize(("make", "message"), PATH_ERRORS.values(), ids=PATH_ERRORS)
def test_missing_or_empty_predict_dir_stops_before_any_job(tmp_path, make, message):
    folder = make(tmp_path)
    extra = [] if folder is None else ["--config", f"predict_dir={folder}"]
    result = snakemake(tmp_path, "-n", "predict", *tiny_args(), *extra, check=False)
    assert re.fullmatch(f"ascflow: {message}", one_sentence(result))
