"""The workflow through Snakemake's command line: lint, the plan, a tiny end
to end run, re-runs, determinism, resume after a kill, and bad data."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
from support import (
    REPO,
    copy_run,
    planned_jobs,
    read_metrics,
    snakemake,
    snakemake_command,
    tiny_args,
    variant_config,
    without_timings,
)

DEFAULT_CONFIG = REPO / "config" / "config.yaml"
MODELS = ["rf_10", "rf_50", "rf_100", "cnn", "lstm"]  # as tests/config/tiny.yaml configures


def job_inputs(output: str) -> dict[str, list[str]]:
    """Every planned job's input files, keyed by 'rule:jobid'."""
    jobs: dict[str, list[str]] = {}
    for block in re.split(r"\n(?=rule |localrule )", output):
        header = re.match(r"(?:local)?rule (\w+):", block)
        jobid = re.search(r"jobid: (\d+)", block)
        if header and jobid:
            inputs = re.search(r"input: (.*)", block)
            jobs[f"{header[1]}:{jobid[1]}"] = inputs[1].split(", ") if inputs else []
    return jobs


def test_lint_is_clean():
    result = snakemake(REPO, "--lint", "--configfile", str(DEFAULT_CONFIG), check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dry_run_plans_the_whole_dag(tmp_path):
    result = snakemake(tmp_path, "-n", "--configfile", str(DEFAULT_CONFIG))
    jobs = planned_jobs(result.stdout)
    assert jobs["generate_default_data"] == 1 and jobs["validate_data"] == 1
    assert jobs["make_features"] == 6  # three layouts x two splits
    assert jobs["train_forest"] == 3 and jobs["train_network"] == 2
    assert jobs["evaluate_model"] == 5 and jobs["summarize_metrics"] == 1


def test_seeds_multiply_the_models(tmp_path):
    config = variant_config(tmp_path, seeds=[0, 1])
    jobs = planned_jobs(snakemake(tmp_path, "-n", "--configfile", str(config), "--cores", "2").stdout)
    assert jobs["train_forest"] == 6 and jobs["train_network"] == 4 and jobs["evaluate_model"] == 10


def test_only_evaluation_reads_the_test_set(tmp_path):
    result = snakemake(tmp_path, "-n", *tiny_args("--config", "cv={folds: 2}"))
    assert any(job.startswith("cross_validate:") for job in job_inputs(result.stdout))
    for job, inputs in job_inputs(result.stdout).items():
        reads_test = any(re.search(r"(/test\.npy|_test\.npy)$", path) for path in inputs)
        if job.split(":")[0] in (
            "train_forest",
            "train_network",
            "cross_validate",
            "make_features",
            "validate_data",
        ):
            if job.split(":")[0] in ("make_features", "validate_data"):
                continue  # these prepare the test split; they train nothing
            assert not reads_test, f"{job} reads the test set: {inputs}"
    evaluations = [
        inputs for job, inputs in job_inputs(result.stdout).items() if job.startswith("evaluate_model")
    ]
    assert evaluations and all(any(path.endswith("/test.npy") for path in inputs) for inputs in evaluations)


def test_validation_mode_test_is_the_only_way_training_sees_test_data(tmp_path):
    config = variant_config(tmp_path, validation={"mode": "test"})
    result = snakemake(tmp_path, "-n", "--configfile", str(config), "--cores", "2")
    networks = [
        inputs for job, inputs in job_inputs(result.stdout).items() if job.startswith("train_network")
    ]
    assert len(networks) == 2 and all(any(p.endswith("/test.npy") for p in inputs) for inputs in networks)


def test_tiny_run_delivers_every_model(tiny_run):
    summary = (tiny_run / "results/metrics/summary.tsv").read_text().splitlines()
    assert summary[0].split("\t")[:5] == ["model", "base_model", "family", "seed", "accuracy"]
    assert [line.split("\t")[0] for line in summary[1:]] == MODELS
    metrics = read_metrics(tiny_run)
    for name in MODELS:
        m = metrics[name]
        assert 0 <= m["ci95_low"] <= m["accuracy"] <= m["ci95_high"] <= 1
        assert m["n_test"] == 24 and len(m["per_class_recall"]) == 4
        assert np.array(m["confusion_matrix"]).sum() == 24
        assert (m["n_params"] or m["tree_nodes"]) > 0
        assert np.load(tiny_run / f"results/predictions/{name}.npy").shape == (24, 4)
    assert metrics["cnn"]["validation"] == "holdout" and metrics["lstm"]["time_major"] == "transpose"
    assert metrics["rf_10"]["settings"]["n_estimators"] == 10 and metrics["cnn"]["settings"]["epochs"] == 2
    # Metrics hold facts, not prose: only report/ writes sentences.
    for m in metrics.values():
        facts = {key: value for key, value in m.items() if not key.endswith(("_name", "_names"))}
        assert not [value for value in facts.values() if isinstance(value, str) and " " in value], m["model"]
    history = (tiny_run / "results/models/cnn.history.csv").read_text().splitlines()
    assert history[0] == "epoch,loss,accuracy,val_loss,val_accuracy,seconds"
    epoch_lines = [
        line
        for line in (tiny_run / "logs/train_network/lstm.log").read_text().splitlines()
        if " epoch " in line
    ]
    assert len(epoch_lines) == metrics["lstm"]["epochs_run"] == 2
    assert not (tiny_run / "results/resume").exists() or not any((tiny_run / "results/resume").iterdir())
    # Each network as deployed: Keras, int8 LiteRT and ONNX on the same test clips.
    for name in ("cnn", "lstm"):
        deployed = json.loads((tiny_run / f"results/deployed/{name}.json").read_text())
        runtimes = deployed["runtimes"]
        assert list(runtimes) == ["keras", "litert", "onnx"] and deployed["n_test"] == 24
        assert runtimes["keras"]["accuracy"] == pytest.approx(metrics[name]["accuracy"])
        assert runtimes["onnx"]["agreement"] == 1.0 and runtimes["litert"]["agreement"] >= 0.5
        memory = deployed["memory"]["int8_file"]
        assert set(memory["by_dtype"]) == {"int8", "int32"} and deployed["float_ops"] == []
        assert memory["by_dtype"]["int8"]["bytes"] == memory["by_dtype"]["int8"]["parameters"]
        assert memory["bytes"] < deployed["memory"]["float32"]["bytes"] == 4 * metrics[name]["n_params"]
        assert deployed["complexity"]["fits_memory_int8_file"] and deployed["complexity"]["fits_macs"]
    report = (tiny_run / "reports/report.md").read_text()
    assert "## Deployed models" in report and "| lstm | LiteRT, int8 |" in report


def test_second_run_has_nothing_to_do(tiny_run, tmp_path):
    workdir = copy_run(tiny_run, tmp_path / "run")
    result = snakemake(workdir, "-n", *tiny_args())
    assert "Nothing to be done" in result.stdout + result.stderr


def test_changing_one_hyperparameter_reruns_that_model_only(tiny_run, tmp_path):
    workdir = copy_run(tiny_run, tmp_path / "run")
    config = variant_config(tmp_path, lstm={"units": 5})
    jobs = planned_jobs(snakemake(workdir, "-n", "--configfile", str(config), "--cores", "2").stdout)
    reruns = {rule: count for rule, count in jobs.items() if rule != "all"}
    assert reruns.pop("train_network") == 1 and reruns.pop("evaluate_model") == 1
    assert reruns.pop("export_model") == 1  # its bundle
    assert reruns.pop("measure_deployed") == 1  # and the bundle as deployed
    # What remains consumes the metrics: the summary, the paired tests (and the
    # report, and the record of the run in the history).
    consumers = {"summarize_metrics", "compare_models", "render_report", "record_run", "count_parameters"}
    assert set(reruns) <= consumers


def test_two_clean_runs_give_identical_metrics(tiny_run, tmp_path):
    snakemake(tmp_path, *tiny_args())
    first, second = read_metrics(tiny_run), read_metrics(tmp_path)
    assert list(first) == list(second)
    for name in first:
        assert without_timings(first[name]) == without_timings(second[name]), name


def test_killed_training_resumes_from_its_last_epoch(tmp_path):
    config = variant_config(tmp_path, cnn={"epochs": 40, "early_stopping_patience": 0})
    args = ["--configfile", str(config), "--cores", "2", "results/models/cnn.keras"]
    snakemake(tmp_path, *args[:-1], "results/features/channel/train.npy")  # the inputs, outside the race
    history = tmp_path / "results/resume/cnn/history.csv"
    process = subprocess.Popen(
        snakemake_command(tmp_path, *args),
        cwd=tmp_path,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and process.poll() is None:
        if history.is_file() and len(history.read_text().splitlines()) >= 4:  # header + 3 epochs
            break
        time.sleep(0.02)
    assert process.poll() is None, "training finished before it could be killed"
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    epochs_before = len(history.read_text().splitlines()) - 1
    assert not (tmp_path / "results/models/cnn.keras").exists()

    snakemake(tmp_path, "--unlock", *args)
    snakemake(tmp_path, *args)
    log = (tmp_path / "logs/train_network/cnn.log").read_text()
    resumed = re.search(r"resuming after epoch (\d+)", log)
    assert resumed and int(resumed[1]) >= epochs_before - 1
    rows = (tmp_path / "results/models/cnn.history.csv").read_text().splitlines()[1:]
    assert [int(float(row.split(",")[0])) for row in rows] == list(range(1, 41))
    assert json.loads((tmp_path / "results/models/cnn.train.json").read_text())["epochs_run"] == 40
    assert not (tmp_path / "results/resume/cnn").exists()


def bad_data_folder(folder: Path, **overrides) -> Path:
    rng = np.random.default_rng(0)
    arrays = {
        "X_train": rng.normal(size=(24, 12, 40)).astype(np.float32),
        "y_train": np.arange(24) % 3,
        "X_test": rng.normal(size=(9, 12, 40)).astype(np.float32),
        "y_test": np.arange(9) % 3,
    } | overrides
    folder.mkdir()
    for stem, array in arrays.items():
        np.save(folder / f"{stem}.npy", array, allow_pickle=True)
    return folder


@pytest.mark.parametrize(
    "override, message, before_any_job",
    [
        (
            {"X_train": np.where(np.arange(24 * 12 * 40).reshape(24, 12, 40) == 500, np.nan, 0.0)},
            r"X_train\.npy: 1 values are NaN \(first in clip 1\)\.",
            False,
        ),
        # A file that does not read as .npy stops the run before any job starts.
        ({"X_test": np.array([{"clip": 1}] * 9, dtype=object)}, r"X_test\.npy: holds Python objects", True),
        ({"X_test": np.zeros((9, 12, 41), dtype=np.float32)}, r"X_test\.npy: clips are 12 x 41", False),
    ],
    ids=["nan", "pickled", "wrong-shape"],
)
def test_bad_data_stops_with_one_sentence_and_keeps_earlier_results(
    tiny_run, tmp_path, override, message, before_any_job
):
    workdir = copy_run(tiny_run, tmp_path / "run")
    before = {path: path.read_bytes() for path in (workdir / "results/metrics").iterdir()}
    folder = bad_data_folder(tmp_path / "data", **override)
    result = snakemake(workdir, *tiny_args("--config", f"data_dir={folder}"), check=False)
    assert result.returncode != 0
    sentences = [line for line in result.stderr.splitlines() if line.startswith("ascflow: ")]
    assert len(sentences) == 1 and re.search(message, sentences[0]), result.stderr
    log = (workdir / "logs/validate_data.log").read_text()
    assert bool(re.search(message, log)) != before_any_job  # validate_data ran, or nothing did
    assert "Traceback" not in log and "Traceback" not in result.stderr
    assert {path: path.read_bytes() for path in (workdir / "results/metrics").iterdir()} == before


def test_user_data_of_another_shape_runs_end_to_end(tmp_path):
    folder = bad_data_folder(tmp_path / "data")  # valid: 3 classes of 12 x 40 clips
    (folder / "classes.txt").write_text("low\nmid\nhigh\n")
    snakemake(tmp_path, *tiny_args("--config", f"data_dir={folder}"))
    metrics = read_metrics(tmp_path)
    assert set(metrics) == set(MODELS) and metrics["cnn"]["class_names"] == ["low", "mid", "high"]
    summary = json.loads((tmp_path / "results/data/summary.json").read_text())
    assert summary["source"] == "user" and summary["n_classes"] == 3


def test_too_small_clips_stop_before_training_with_the_minimum(tmp_path):
    folder = bad_data_folder(
        tmp_path / "data",
        X_train=np.zeros((24, 6, 40), dtype=np.float32),
        X_test=np.zeros((9, 6, 40), dtype=np.float32),
    )
    # The target comes before --config, which takes every argument after it.
    result = snakemake(
        tmp_path, *tiny_args("results/models/cnn.keras", "--config", f"data_dir={folder}"), check=False
    )
    assert result.returncode != 0
    sentence = [line for line in result.stderr.splitlines() if line.startswith("ascflow: ")]
    assert sentence and "at least" in sentence[0] and "Traceback" not in sentence[0]


def test_report_holds_every_model_and_the_reference_in_markdown_and_pdf(tiny_run):
    markdown = (tiny_run / "reports/report.md").read_text()
    pdf_text = subprocess.run(
        ["pdftotext", "-layout", str(tiny_run / "reports/report.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    metrics = read_metrics(tiny_run)
    for name in MODELS:
        accuracy = f"{metrics[name]['accuracy']:.4f}"
        assert re.search(rf"^\| {name} \| {accuracy} \|", markdown, re.M), name
        assert re.search(rf"{name}\s+{accuracy}", pdf_text), name
    for reference in ("0.5153", "0.5833", "0.5947", "0.4493", "0.5893", "4,926,410", "36,902,400"):
        assert reference in markdown and reference in pdf_text, reference
    images = subprocess.run(
        ["pdfimages", "-list", str(tiny_run / "reports/report.pdf")], capture_output=True, text=True
    )
    assert len(images.stdout.splitlines()) - 2 >= 4  # header lines, then one line per embedded image
    for figure in re.findall(r"\]\((figures/[\w.]+\.png)\)", markdown):
        assert (tiny_run / "reports" / figure).stat().st_size > 0


def test_pdf_breaks_no_word_and_the_first_run_draws_no_trend(tiny_run):
    """Every word of the PDF is a word of the report (a cell broken inside a
    word leaves pieces that are not); the first run on the data has no
    earlier one, so its report draws no figure over the runs and says why."""
    markdown = (tiny_run / "reports/report.md").read_text()
    layout = subprocess.run(
        ["pdftotext", "-layout", str(tiny_run / "reports/report.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    def words(text: str) -> set[str]:
        # pdftotext may close up the narrow spaces around × ("2×9×4"): not a break.
        return {word.strip("|*`()[]!,.;:") for word in text.replace("×", " × ").split()} - {""}

    pieces = words(layout) - words(markdown)
    assert pieces <= {"page", "•"} | {str(n) for n in range(1, 40)}, pieces
    earlier = markdown.split("## Compared with earlier runs\n", 1)[1].split("\n## ", 1)[0]
    assert "one point is no trend" in earlier and "figures/history.png" not in earlier
    assert (tiny_run / "reports/figures/history.png").stat().st_size > 0  # the declared file: a sentence


def test_deleted_report_is_rebuilt_without_retraining(tiny_run, tmp_path):
    workdir = copy_run(tiny_run, tmp_path / "run")
    for path in (workdir / "reports").rglob("*"):
        if path.is_file():
            path.unlink()
    jobs = planned_jobs(snakemake(workdir, "-n", *tiny_args()).stdout)
    assert set(jobs) == {"render_report", "record_run", "all"}
    forced = planned_jobs(
        snakemake(
            copy_run(tiny_run, tmp_path / "forced"), "-n", *tiny_args("--forcerun", "render_report")
        ).stdout
    )
    assert set(forced) == {"render_report", "record_run", "all"}


def test_report_folder_shows_only_the_last_runs_figures(tiny_run, tmp_path):
    """A figure an earlier run drew (a model this config lacks) is removed
    when the report is rendered, so reports/figures/ holds the figures the
    report names; a file the report would never draw stays."""
    workdir = copy_run(tiny_run, tmp_path / "run")
    figures = workdir / "reports/figures"
    (figures / "confusion_rf_500.png").write_bytes((figures / "confusion_rf_10.png").read_bytes())
    (figures / "training_cnn_seed3.png").write_bytes(b"stale")
    (figures / "notes.png").write_bytes(b"not a figure of the report")
    snakemake(workdir, *tiny_args("--forcerun", "render_report"))
    assert (
        not (figures / "confusion_rf_500.png").exists() and not (figures / "training_cnn_seed3.png").exists()
    )
    assert (figures / "notes.png").exists()
    drawn = {path.name for path in figures.glob("*.png")} - {"notes.png"}
    assert drawn == {f"confusion_{name}.png" for name in MODELS} | {
        "accuracy.png",
        "per_class_recall.png",
        "significance.png",
        "history.png",
        "training_cnn.png",
        "training_lstm.png",
    }
    markdown = (workdir / "reports/report.md").read_text()
    assert set(re.findall(r"\]\(figures/([\w.]+\.png)\)", markdown)) <= drawn


def test_snakemake_html_report_after_a_run(tiny_run, tmp_path):
    workdir = copy_run(tiny_run, tmp_path / "run")
    snakemake(workdir, *tiny_args("--report", "reports/report.html"))
    html = (workdir / "reports/report.html").read_text(errors="replace")
    for caption_word in ("accuracy", "confusion", "report.pdf"):
        assert caption_word in html
