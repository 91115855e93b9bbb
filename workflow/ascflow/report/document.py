"""What the report says: the results turned into a list of blocks.

This module is the report's template, the order of its sections; each
section is a module of :mod:`ascflow.report.sections`. They read only
:class:`Results` and the figure files: every number the report prints comes
from the workflow's outputs or from :mod:`ascflow.report.reference`.
"""

from __future__ import annotations

from pathlib import Path

from ascflow.report.blocks import Block
from ascflow.report.gather import Results
from ascflow.report.reference import study_in_place
from ascflow.report.sections.accuracy import accuracy_blocks, per_class_blocks
from ascflow.report.sections.comparisons import comparison_blocks
from ascflow.report.sections.complexity import complexity_blocks
from ascflow.report.sections.cross_validation import cross_validation_blocks
from ascflow.report.sections.data import data_blocks
from ascflow.report.sections.deployed import deployed_blocks
from ascflow.report.sections.deviations import deviation_blocks
from ascflow.report.sections.devices import device_blocks
from ascflow.report.sections.earlier_runs import earlier_runs_blocks
from ascflow.report.sections.epoch_choice import epoch_choice_blocks
from ascflow.report.sections.learning_curve import learning_curve_blocks
from ascflow.report.sections.new_recordings import new_recordings_blocks
from ascflow.report.sections.parameter_counts import parameter_blocks
from ascflow.report.sections.provenance import provenance_blocks
from ascflow.report.sections.study import study_blocks
from ascflow.report.sections.summary import summary_blocks, title_blocks, warning_blocks
from ascflow.report.sections.sweeps import sweep_blocks
from ascflow.report.sections.training import training_blocks


def build_document(results: Results, figures: dict[str, Path]) -> list[Block]:
    """The whole report; ``figures`` maps each figure's key (its file name's
    stem, see :func:`ascflow.report.figures.figure_outputs`) to its file.
    On a user's own data the course study's figures close it, in an appendix."""
    return [
        *title_blocks(results),
        *warning_blocks(results),
        *summary_blocks(results),
        *data_blocks(results.data),
        *accuracy_blocks(results, figures),
        *comparison_blocks(results, figures),
        *device_blocks(results),
        *cross_validation_blocks(results),
        *epoch_choice_blocks(results),
        *sweep_blocks(results, figures),
        *learning_curve_blocks(results),
        *new_recordings_blocks(results),
        *per_class_blocks(results.runs, figures),
        *training_blocks(results, figures),
        *earlier_runs_blocks(results, figures),
        *parameter_blocks(results.parameters, results.runs, study_in_place(results.data)),
        *complexity_blocks(results),
        *deployed_blocks(results),
        *deviation_blocks(results),
        *provenance_blocks(results),
        *study_blocks(results),
    ]
