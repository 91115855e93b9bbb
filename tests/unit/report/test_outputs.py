"""The figure files the report rule declares, and the code it is tracked by."""

from __future__ import annotations

from pathlib import Path

from ascflow.models.naming import model_names
from ascflow.report.outputs import figure_outputs, is_figure_name
from ascflow.sources import code_files, module_file
from ascflow.stages.report import remove_stale_figures


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


def test_every_section_is_code_of_the_report_rule():
    """An edit to any section re-renders the report: the rule's code digest covers them all."""
    code = set(code_files("ascflow.stages.report:render_report"))
    sections = module_file("ascflow.report.sections").parent
    assert {str(path) for path in sections.glob("*.py")} <= code


def test_figure_names_are_told_from_other_files():
    for name in (
        "accuracy.png",
        "history.png",
        "confusion_rf_50.png",
        "training_cnn_seed1.png",
        "sweep_cnn.png",
    ):
        assert is_figure_name(name), name
    for name in ("accuracy.pdf", "confusion_.png", "notes.png", "confusion_rf_50.png.bak", "report.md"):
        assert not is_figure_name(name), name


def test_the_report_removes_the_figures_of_an_earlier_run_only(tmp_path):
    """A run without rf_50 after one with it: confusion_rf_50.png goes, so
    that reports/figures/ shows exactly the last run; what the report would
    never name stays."""
    folder = tmp_path / "reports/figures"
    folder.mkdir(parents=True)
    outputs = figure_outputs(model_names([10], []), str(folder))
    for figure in outputs.values():
        Path(figure.path).write_bytes(b"png")
    stale = [folder / "confusion_rf_50.png", folder / "training_cnn_seed1.png", folder / "sweep_lstm.png"]
    kept = [folder / "logo.png", folder / "accuracy.svg"]
    for path in stale + kept:
        path.write_bytes(b"other")
    removed = remove_stale_figures({key: figure.path for key, figure in outputs.items()})
    assert sorted(removed) == sorted(stale)
    assert sorted(path.name for path in folder.iterdir()) == sorted(
        [Path(figure.path).name for figure in outputs.values()] + [path.name for path in kept]
    )
