"""The report from small fake results: figures, Markdown, PDF and the
sentences they state. No training and no Snakemake, so these run in seconds."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from ascflow.errors import AscflowError
from ascflow.models.naming import model_names
from ascflow.report import reference
from ascflow.report.build import write_report
from ascflow.report.document import build_document
from ascflow.report.figures import render_figures, start_figures
from ascflow.report.gather import (
    git_commit,
    read_benchmarks,
    read_parameter_tables,
    read_runs,
    with_keras_counts,
)
from ascflow.report.outputs import figure_outputs
from ascflow.report.sections.summary import reference_faithful_warnings
from ascflow.sources import code_files
from fake_results import CONFIG, FAKE_ACCURACY, fake_params, gather, with_changes, write_fake_results


def make_report(
    workdir: Path, config: dict, figures: dict[str, Path] | None = None
) -> tuple[Path, Path, dict]:
    """Fake results, their figures (unless given) and the report; returns the
    Markdown and PDF paths and the figure files."""
    inputs = write_fake_results(workdir, config)
    results = gather(inputs)
    if figures is None:
        outputs = figure_outputs(
            model_names(config["rf"]["n_estimators"], config["seeds"]), str(workdir / "figures")
        )
        figures = {key: Path(figure.path) for key, figure in outputs.items()}
        render_figures(results.runs, results.histories, figures, results.comparisons)
    markdown, pdf = workdir / "reports/report.md", workdir / "reports/report.pdf"
    write_report(results, figures, markdown, pdf)
    return markdown, pdf, figures


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    return make_report(tmp_path_factory.mktemp("report"), CONFIG)


def pdf_text(path: Path) -> str:
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"\s+", " ", text)


needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdfimages") is None,
    reason="poppler-utils (pdftotext, pdfimages) not installed",
)


def accuracy_rows(markdown: str) -> dict[str, list[str]]:
    """The accuracy table's rows by model, as cells."""
    section = markdown.split("## Accuracy on the test set", 1)[1]
    table = section[section.index("\n| ") :].split("\n\n", 1)[0]
    rows = [line.strip("| ").split(" | ") for line in table.strip().splitlines()]
    return {row[0]: row for row in rows[2:]}


def test_markdown_has_a_row_per_model_with_the_reference_accuracy(report):
    markdown_path, _, _ = report
    rows = accuracy_rows(markdown_path.read_text())
    assert list(rows) == ["rf_10", "rf_50", "rf_100", "cnn", "lstm"]
    for model, cells in rows.items():
        assert cells[1] == f"{FAKE_ACCURACY[model]:.4f}"
        assert cells[-1] == f"{reference.ACCURACY[model]:.4f}"
    assert "reference accuracy (on the reference's data)" in markdown_path.read_text()


def test_markdown_states_the_synthetic_data_and_links_existing_figures(report):
    markdown_path, _, _ = report
    markdown = markdown_path.read_text()
    assert "built-in synthetic data set" in markdown
    assert "WARNING" not in markdown
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", markdown)
    # accuracy, the significance matrix, recall, best and worst confusion, two training curves
    assert len(links) == 7
    assert all((markdown_path.parent / link).is_file() for link in links)


@needs_poppler
def test_pdf_holds_the_same_numbers_as_the_markdown(report):
    markdown_path, pdf_path, _ = report
    text = pdf_text(pdf_path)
    for cells in accuracy_rows(markdown_path.read_text()).values():
        assert cells[1] in text and cells[2] in text  # accuracy and its interval
    for value in reference.ACCURACY.values():
        assert f"{value:.4f}" in text
    assert "36,902,400" in text and "4,926,410" in text


@needs_poppler
def test_pdf_embeds_every_figure_of_the_markdown(report):
    _, pdf_path, _ = report
    listing = subprocess.run(
        ["pdfimages", "-list", str(pdf_path)], capture_output=True, text=True, check=True
    )
    images = [line for line in listing.stdout.splitlines()[2:] if line.split()[2] == "image"]
    assert len(images) == 7


def test_validation_on_the_test_set_is_warned_in_both_formats(report, tmp_path):
    _, _, figures = report
    config = with_changes(CONFIG, validation={"mode": "test"}, lstm={"time_major": "reshape"})
    markdown_path, pdf_path, _ = make_report(tmp_path, config, figures)
    markdown = markdown_path.read_text()
    assert "WARNING: Validated (and early-stopped) on the test set" in markdown
    assert "(cnn, lstm)" in markdown
    assert "time-major input built by reshape" in markdown.lower()
    if shutil.which("pdftotext"):
        assert "WARNING: Validated (and early-stopped) on the test set" in pdf_text(pdf_path)


def test_seeded_runs_get_a_mean_and_sd_table(tmp_path):
    config = with_changes(CONFIG, seeds=[0, 1])
    inputs = write_fake_results(tmp_path, config)
    results = gather(inputs)
    figures = {
        key: Path("figures") / f"{key}.png" for key in figure_outputs([run["model"] for run in results.runs])
    }
    blocks = build_document(results, figures)
    tables = [block for block in blocks if type(block).__name__ == "Table"]
    aggregate = next(table for table in tables if "runs" in table.header)
    assert [row[0] for row in aggregate.rows] == list(FAKE_ACCURACY)
    assert all(" ± " in row[2] for row in aggregate.rows)


def test_summary_states_the_significant_differences(report):
    """The fake accuracies put the CNN (0.40) far below the others (0.62 to
    0.72) on 200 clips: McNemar finds those gaps, not the small ones."""
    markdown = report[0].read_text()
    summary = markdown.split("## Summary", 1)[1].split("## Data", 1)[0]
    sentence = next(line for line in summary.splitlines() if "McNemar" in line)
    assert "Significant at 5 %" in sentence and "Holm-adjusted over the 10 pairs" in sentence
    for model in ("rf_100", "rf_50", "lstm"):
        assert f"{model} > cnn (" in sentence
    assert "rf_100 > rf_50" not in sentence and "overlap" not in markdown


def test_warning_comes_from_the_run_facts():
    run = {"model": "cnn", "family": "cnn", "validation": "test", "time_major": None}
    warnings = reference_faithful_warnings([run])
    assert len(warnings) == 1 and "validated" in warnings[0] and "(cnn)" in warnings[0]
    assert reference_faithful_warnings([{**run, "validation": "holdout"}]) == []


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


def test_figure_outputs_and_report_code_inputs():
    outputs = figure_outputs(model_names([10], [0, 1]))
    assert set(outputs) == {
        "accuracy",
        "per_class_recall",
        "significance",
        *(f"training_{family}_seed{seed}" for family in ("cnn", "lstm") for seed in (0, 1)),
        *(f"confusion_{base}_seed{seed}" for base in ("rf_10", "cnn", "lstm") for seed in (0, 1)),
    }
    assert outputs["confusion_rf_10_seed1"].labels == {"model": "rf_10_seed1", "figure": "confusion matrices"}
    code = [Path(path).name for path in code_files("ascflow.stages.report:render_report")]
    assert {"document.py", "pdf.py", "reference.py", "figures.py"} <= set(code)


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
    caption = build_table_caption(counted)
    assert "the trained model cnn_seed1's own counts" in caption["cnn"]
    assert "the test suite checks its Keras counts" in caption[untrained[0]]

    first_layer = cnn_layers[0]["layer"]
    runs[1]["layer_params"] = {**trained, first_layer: trained[first_layer] + 1}
    with pytest.raises(AscflowError, match=r"^cnn: Keras's per-layer counts of the trained model cnn_seed1"):
        with_keras_counts(params, runs)


def build_table_caption(networks: dict) -> dict[str, str]:
    from ascflow.report.sections.parameter_counts import network_table

    return {name: network_table(name, network).caption for name, network in networks.items()}


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


def test_training_table_names_the_device_of_each_network(report):
    markdown = report[0].read_text()
    table = markdown.split("## Training of the networks", 1)[1].split("\n\n", 3)[2]
    rows = {line.split(" | ")[0].strip("| "): line for line in table.splitlines()[2:]}
    assert rows["cnn"].rstrip(" |").endswith("GPU (NVIDIA H200)") and rows["lstm"].rstrip(" |").endswith(
        "CPU"
    )


def test_forked_figure_workers_draw_what_one_process_draws(report, tmp_path):
    """render_report's two workers write the same PNG files, byte for byte,
    as drawing them all in this process did; a worker's error reaches the caller."""
    _, _, figures = report
    results = gather(write_fake_results(tmp_path / "results", CONFIG))
    outputs = {key: tmp_path / "forked" / path.name for key, path in figures.items()}
    (tmp_path / "forked").mkdir()
    pending = start_figures(results.runs, results.histories, outputs, results.comparisons, workers=2)
    pending.wait_for(outputs["accuracy"], timeout=120)
    assert outputs["accuracy"].read_bytes() == figures["accuracy"].read_bytes()
    pending.wait_all(timeout=120)
    for key, path in figures.items():
        assert outputs[key].read_bytes() == path.read_bytes(), key
    broken = start_figures(
        results.runs,
        results.histories,
        {**outputs, "no_such_figure": tmp_path / "x.png"},
        results.comparisons,
        workers=2,
    )
    with pytest.raises(ValueError, match="no figure is called 'no_such_figure'"):
        broken.wait_all(timeout=120)
