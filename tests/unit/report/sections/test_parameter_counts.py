"""Parameter counts: the table per network and the image CNN notes."""

from __future__ import annotations

from ascflow.report import reference
from ascflow.report.sections.parameter_counts import image_cnn_notes, multiplication_formula, network_table
from fake_results import fake_params


def test_table_totals_the_layers_and_compares_with_the_reference():
    network = fake_params()["networks"]["reference_mlp"]
    table = network_table("reference_mlp", network)
    total = table.rows[-1]
    assert total[0] == "network" and total[5] == f"{reference.PARAMETERS['reference_mlp']:,}"
    assert total[-1] == "4,926,200"  # the multiply-adds of the dense layers
    assert table.rows[0][2] == "49152" and table.caption.startswith("Input 128 × 128 × 3.")
    assert "The reference's count: 4,926,410 (the same)." in table.caption
    network["total_closed_form"] += 1
    assert (
        "as its input or classes differ from the reference's"
        in network_table("reference_mlp", network).caption
    )


def test_multiply_adds_of_a_layer_not_counted_leave_the_total_open():
    network = fake_params()["networks"]["reference_mlp"]
    network["layers"][1]["multiply_adds"] = None
    assert network_table("reference_mlp", network).rows[-1][-1] == "–"


def test_image_cnn_notes_need_both_paddings():
    parameters = fake_params()
    assert multiplication_formula(parameters["image_cnn_conv1_multiplications"]["valid"]) == (
        "124 x 124 x 75 x 32"
    )
    # The fake counts hold the 'valid' network only: nothing to compare.
    assert image_cnn_notes(parameters) == []
