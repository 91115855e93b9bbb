"""The sweeps: the variant kept, and that the test set had no part in it."""

from __future__ import annotations

from pathlib import Path

from ascflow.report.blocks import Table
from ascflow.report.sections.sweeps import sweep_blocks, sweep_choice
from fake_results import CONFIG, fake_sweep, gather, write_fake_results


def test_choice_names_its_criterion_and_the_runner_up():
    cv = sweep_choice(fake_sweep("cv"))
    assert cv.startswith(
        "cnn: 2 variants of learning_rate, ranked by the mean accuracy over its 3 cross-validation folds"
    )
    assert "Kept: cnn_lr0.01 (0.6100); the next best, cnn_lr0.001, scored 0.5800." in cv
    holdout = fake_sweep("holdout")
    holdout["variants"] = holdout["variants"][:1]
    assert "ranked by its accuracy on the held-out part of the training set. Kept: cnn_lr0.01 (0.6100). " in (
        sweep_choice(holdout)
    )


def test_table_has_every_variant_and_marks_the_one_kept(tmp_path):
    results = gather(write_fake_results(tmp_path, CONFIG))
    results.sweeps = [fake_sweep("cv")]
    blocks = sweep_blocks(results, {"sweep_cnn": Path("sweep_cnn.png")})
    (table,) = [block for block in blocks if isinstance(block, Table)]
    assert table.header[2] == "validation accuracy (cv mean ± sd)"
    assert [row[0] for row in table.rows] == ["cnn_lr0.01", "cnn_lr0.001"]
    assert table.rows[0][2:] == ("0.6100 ± 0.0200", "5", "1 min 15 s", "562,159 parameters", "kept")
    assert table.rows[1][3] == "–" and table.rows[1][-1] == ""
    results.sweeps = []
    assert sweep_blocks(results, {}) == []


def test_a_held_out_part_too_small_to_tell_the_variants_apart_says_so():
    """0.61 against 0.58 on 30 held-out clips: the kept variant's interval
    holds the next best's score; on 3,000 clips it does not."""
    holdout = fake_sweep("holdout")
    small = {"n": 30, "ci95_low": 0.43, "ci95_high": 0.76}
    assert sweep_choice(holdout, small).endswith(
        "On 30 held-out clips the kept variant's 95 % interval (0.430–0.760) holds the next best's score: "
        "validation cannot tell them apart."
    )
    large = {"n": 3_000, "ci95_low": 0.59, "ci95_high": 0.63}
    assert sweep_choice(holdout, large).endswith("only the kept variant was evaluated on it.")
    assert sweep_choice(fake_sweep("cv"), small).endswith("only the kept variant was evaluated on it.")
