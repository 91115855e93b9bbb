"""The appendix of a report on a user's own data: the course study's figures,
set apart and labelled as measured on the study's own data.

On the built-in data (made in the study's shape) the sections set these
figures beside the run's own and there is no appendix
(:func:`ascflow.report.reference.study_in_place`).
"""

from __future__ import annotations

from ascflow.report import reference
from ascflow.report.blocks import Block, Heading, Paragraph, Table
from ascflow.report.gather import Results
from ascflow.report.sections.accuracy import dcase_baseline
from ascflow.report.sections.formatting import NOT_APPLICABLE, accuracy_text, count_text
from ascflow.report.sections.parameter_counts import image_cnn_blocks, network_blocks, trained_networks

APPENDIX = "Appendix: the course study"


def study_table() -> Table:
    """Each of the study's models: its test accuracy and its parameters."""
    return Table(
        ("the study's model", "test accuracy, on the study's data", "parameters (from its architecture)"),
        tuple(
            (model, accuracy_text(accuracy), count_text(reference.PARAMETERS.get(model)))
            for model, accuracy in reference.ACCURACY.items()
        ),
        align="LRR",
    )


def study_training() -> str:
    cnn, lstm = reference.TRAINING["cnn"], reference.TRAINING["lstm"]
    return (
        f"The study validated both networks on its test set. Its CNN stopped early after epoch "
        f"{reference.CNN_EPOCHS_RUN} of {cnn['epochs']} (best: {reference.CNN_BEST_EPOCH}); its LSTM ran all "
        f"{lstm['epochs']}. For scale the study quotes {dcase_baseline()}"
    )


def study_blocks(results: Results) -> list[Block]:
    """The study's accuracies, training and parameter counts (the image
    networks no run trains among them), on a user's own data only."""
    if reference.study_in_place(results.data):
        return []
    untrained = [
        name
        for name in results.parameters["networks"]
        if name not in trained_networks(results.parameters, results.runs)
    ]
    return [
        Heading(APPENDIX),
        Paragraph(
            "Everything in this appendix is the course study's own, measured on the study's own data: real "
            f"TUT recordings, about {reference.N_TRAIN:,} training and {reference.N_TEST:,} test clips of "
            "40 log-mel bands × 501 frames in 15 scenes. This run's data is another, so these figures are "
            "neither results of this run nor a target for them; the sections above compare nothing with "
            f"them. The study counted no parameters of its forests ({NOT_APPLICABLE})."
        ),
        study_table(),
        Paragraph(study_training()),
        *network_blocks(results.parameters, untrained),
        *image_cnn_blocks(results.parameters),
    ]
