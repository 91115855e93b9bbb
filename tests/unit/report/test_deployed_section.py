"""The report's deployed section and the complexity table measured on what
is deployed (results/deployed/), in Markdown and in the PDF."""

from __future__ import annotations

import json
import subprocess

import pytest
from ascflow.errors import AscflowError
from ascflow.report.markdown import write_markdown
from ascflow.report.pdf import write_pdf
from ascflow.report.sections.complexity import complexity_blocks
from ascflow.report.sections.deployed import deployed_blocks
from fake_results import (
    CONFIG,
    gather,
    needs_poppler,
    render_markdown,
    section,
    table_rows,
    with_complexity_budget,
    with_deployed,
    write_fake_results,
)

LSTM_FLOAT = {"lstm": ["TANH", "LOGISTIC"]}


@pytest.fixture
def inputs(tmp_path):
    inputs = write_fake_results(tmp_path / "run", CONFIG)
    with_complexity_budget(inputs)
    with_deployed(inputs, LSTM_FLOAT)
    return inputs


def deployed_table(text: str) -> list[list[str]]:
    lines = text[text.index("\n|") + 1 :].split("\n\n", 1)[0].splitlines()
    return [line.strip("| ").split(" | ") for line in lines[2:]]


def test_each_networks_runtimes_side_by_side(inputs, tmp_path):
    markdown = render_markdown(inputs, tmp_path)
    text = section(markdown, "Deployed models")
    rows = deployed_table(text)
    assert [row[:2] for row in rows] == [
        [model, runtime]
        for model in ("cnn", "lstm")
        for runtime in ("Keras, float32", "LiteRT, int8", "ONNX, float32")
    ]
    runs = {run["model"]: run for run in gather(inputs).runs}
    cnn_keras, cnn_int8 = rows[0], rows[1]
    assert cnn_keras[2] == f"{runs['cnn']['accuracy']:.4f}" and cnn_keras[5] == "100.0 %"
    assert cnn_int8[2] == f"{runs['cnn']['accuracy'] - 0.01:.4f}" and cnn_int8[5] == "95.0 %"
    assert cnn_int8[3] != cnn_keras[3] and cnn_int8[4] == f"{1.2 - runs['cnn']['accuracy'] + 0.01:.3f}"
    assert "the 200 test clips" in text and "Wilson's 95 % interval" in text
    assert "cnn: every operator of the int8 model computes in integers" in text
    assert "lstm: the int8 model leaves TANH, LOGISTIC in float" in text
    assert "for 95.0 % of the clips; its accuracy" in text and "(−0.0100 against" in text


def test_the_complexity_table_gives_the_int8_files_memory(inputs, tmp_path):
    facts = json.loads(inputs["deployed"][1].read_text())
    facts["memory"]["int8_file"]["file_bytes"] = 2_089_184  # an unrolled LSTM's graph
    inputs["deployed"][1].write_text(json.dumps(facts))
    text = section(render_markdown(inputs, tmp_path), "Complexity budget")
    rows = table_rows(text)
    assert list(rows) == ["rf_10", "rf_50", "rf_100", "cnn", "lstm"]
    # cnn: 562,159 parameters, 5,565 int32 biases and the rest int8 (fake_deployed).
    stored = 562_159 - 5_565 + 4 * 5_565
    assert rows["cnn"][2:4] == ["2,195.9", f"{stored / 1024:,.1f}"] and rows["cnn"][-1] == "no: memory"
    assert rows["rf_10"][1:] == ["10,000", "39.1", "9.8", "0", "0", "yes"]  # a forest's as before
    assert "Measured on what is deployed" in text and "int32 biases of int8 layers 4 bytes" in text
    assert f"cnn's int8 model stores 5,565 int32 values (22,260 bytes) and {562_159 - 5_565:,} int8" in text
    assert "KB (its file, with the graph, 2,089,184 bytes), against 975.9 KB at float32" in text


def test_a_network_that_fits_only_as_exported_says_so(tmp_path):
    inputs = write_fake_results(tmp_path / "run", CONFIG)
    with_complexity_budget(inputs, cnn_parameters=100_000)
    for path in inputs["metrics"]:
        run = json.loads(path.read_text())
        if run["model"] == "cnn":
            path.write_text(json.dumps({**run, "n_params": 100_000}))
    with_deployed(inputs)
    rows = table_rows(section(render_markdown(inputs, tmp_path), "Complexity budget"))
    assert rows["cnn"][1] == "100,000" and rows["cnn"][-1] == "at int8 only"


def test_without_a_budget_in_params_the_networks_rows_come_from_the_measurement(tmp_path):
    inputs = write_fake_results(tmp_path / "run", CONFIG)
    with_deployed(inputs)
    rows = table_rows(section(render_markdown(inputs, tmp_path), "Complexity budget"))
    assert list(rows) == ["cnn", "lstm"]


def test_no_measurement_no_section(tmp_path):
    inputs = write_fake_results(tmp_path / "run", CONFIG)
    assert "## Deployed models" not in render_markdown(inputs, tmp_path)


def test_a_measurement_of_another_model_is_refused(inputs):
    facts = json.loads(inputs["deployed"][0].read_text())
    inputs["deployed"][0].write_text(json.dumps({**facts, "settings_digest": "another"}))
    with pytest.raises(AscflowError, match=r"deployed/cnn\.json: measures another model than this run's cnn"):
        gather(inputs)


@needs_poppler
def test_the_pdf_shows_the_tables_whole(inputs, tmp_path):
    results = gather(inputs)
    blocks = [*complexity_blocks(results), *deployed_blocks(results)]
    markdown, pdf = tmp_path / "part.md", tmp_path / "part.pdf"
    write_markdown(blocks, markdown)
    write_pdf(blocks, pdf)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
    shown = set(text.stdout.replace("×", " × ").split())
    for word in ("LiteRT,", "int8", "ONNX,", "LOGISTIC", "Keras"):
        assert word in shown, word
    for row in deployed_table(section(markdown.read_text(), "Deployed models")):
        assert row[2] in text.stdout and row[5].split()[0] in text.stdout
