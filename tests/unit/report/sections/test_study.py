"""The course study's figures: beside this run's on the built-in data, in an
appendix at the end on a user's own data (arrays or recordings)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from ascflow.report import reference
from ascflow.report.blocks import Figure, Heading, Table
from ascflow.report.document import build_document
from ascflow.report.markdown import write_markdown
from ascflow.report.sections.study import APPENDIX
from fake_results import CONFIG, gather, section, table_rows, write_fake_results


class Figures(dict):
    def __missing__(self, key):
        return Path("figures") / f"{key}.png"


def on_user_data(tmp_path: Path, source: str = "user"):
    """The fake results as a run on the user's own data that trained a CNN
    of its own shape (params.json counts it beside the study's image networks)."""
    results = gather(write_fake_results(tmp_path, CONFIG))
    results.data["source"] = source
    if source == "audio":  # what the summary states of the recordings
        results.data["audio"] = {"audio_dir": "/rec", "files": {"train": 60, "test": 30}, "meta": "meta.csv"}
        results.data["audio"]["split_source"] = "evaluation_setup/"
    cnn = copy.deepcopy(results.parameters["networks"]["image_cnn_valid"])
    results.parameters["networks"]["cnn"] = cnn | {"description": "12x40x1 -> Conv2D 4 5x5 'valid' -> ..."}
    return results


def markdown_of(blocks, tmp_path: Path) -> str:
    write_markdown(blocks, tmp_path / "report.md")
    return (tmp_path / "report.md").read_text()


@pytest.mark.parametrize("source", ["user", "audio"])
def test_on_user_data_the_report_speaks_of_its_own_models(tmp_path, source, monkeypatch):
    results = on_user_data(tmp_path, source)
    # The Data section's extraction facts are test_data's; here only what follows from the source.
    monkeypatch.setattr("ascflow.report.document.data_blocks", lambda data: [Heading("Data")])
    blocks = build_document(results, Figures())
    markdown = markdown_of(blocks, tmp_path)
    summary = section(markdown, "Summary")
    assert "Best model of the reference" not in summary and f"({APPENDIX})" in summary
    accuracy = section(markdown, "Accuracy on the test set")
    header = next(line for line in accuracy.splitlines() if line.startswith("| model"))
    assert header.endswith("| training time |") and "reference" not in accuracy.lower()
    assert "DCASE" not in accuracy and "diamonds" not in accuracy
    training = section(markdown, "Training of the networks")
    assert "The reference's CNN stopped" not in training
    counts = section(markdown, "Parameter counts")
    assert [line for line in counts.splitlines() if line.startswith("### ")] == [
        "### cnn: 12x40x1 -> Conv2D 4 5x5 'valid' -> ..."
    ]
    assert "image CNN" not in counts and "The reference's count" not in counts
    # The study's figures come last, labelled as the study's own, measured on its own data.
    headings = [block.text for block in blocks if isinstance(block, Heading) and block.level == 1]
    assert headings[-1] == APPENDIX
    appendix = markdown.split(f"## {APPENDIX}\n", 1)[1]
    assert "measured on the study's own data" in appendix and "compare nothing with them" in appendix
    rows = table_rows(appendix)
    assert {model: cells[1] for model, cells in rows.items()} == {
        model: f"{accuracy:.4f}" for model, accuracy in reference.ACCURACY.items()
    }
    assert rows["cnn"][2] == "562,159" and rows["rf_10"][2] == "–"
    assert "74.8 %" in appendix and "after epoch 42 of 50 (best: 32)" in appendix
    assert "### reference_mlp: " in appendix and "### image_cnn_valid: " in appendix
    assert "36,902,400" in appendix and "The reference's count: 4,926,410 (the same)." in appendix


def test_on_the_built_in_data_the_study_stands_beside_the_run(tmp_path):
    results = gather(write_fake_results(tmp_path, CONFIG))
    blocks = build_document(results, Figures())
    assert not any(isinstance(block, Heading) and block.text == APPENDIX for block in blocks)
    markdown = markdown_of(blocks, tmp_path)
    assert "Best model of the reference (on its own data): rf_100, 0.5947." in section(markdown, "Summary")
    accuracy = section(markdown, "Accuracy on the test set")
    assert "For scale: the DCASE 2017 Task 1 baseline" in accuracy and "black diamonds" in accuracy
    (table, *_) = [block for block in blocks if isinstance(block, Table)][2:]
    assert table.header[-1] == "reference accuracy (on the reference's data)"
    figure = next(block for block in blocks if isinstance(block, Figure) and "Test accuracy" in block.caption)
    assert "the reference's accuracy" in figure.caption
    assert "### reference_mlp: " in section(markdown, "Parameter counts")
