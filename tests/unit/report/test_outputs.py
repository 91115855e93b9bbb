"""The figure files the report rule declares, and the code it is tracked by."""

from __future__ import annotations

from pathlib import Path

from ascflow.models.naming import model_names
from ascflow.report.outputs import figure_outputs
from ascflow.sources import code_files, module_file


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
