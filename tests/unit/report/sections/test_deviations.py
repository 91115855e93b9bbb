"""Deviations from the reference: each choice as the reference made it and as this run did."""

from __future__ import annotations

from ascflow.report.blocks import Table
from ascflow.report.sections.deviations import deviation_blocks, training_settings
from fake_results import CONFIG, gather, with_changes, write_fake_results


def test_settings_as_the_runs_record_them(tmp_path):
    results = gather(write_fake_results(tmp_path, CONFIG))
    settings = {setting.name: setting for setting in training_settings(results.runs, results.data)}
    assert settings["data"].used == "built-in synthetic set, 600 / 200 clips" and settings["data"].differs
    validation = settings["validation set of the networks"]
    assert validation.used == "held-out 10% of the training clips, whole recordings" and validation.differs
    for run in results.runs:
        run["split"] = "clip-level" if run["family"] != "rf" else None
    validation = next(s for s in training_settings(results.runs, results.data) if s.name == validation.name)
    assert validation.used == "held-out 10% of the training clips, clip by clip" and validation.differs
    assert (
        settings["forest sizes (trees)"].used == "10, 50, 100"
        and not settings["forest sizes (trees)"].differs
    )
    assert settings["seeds"].used == "42" and not settings["seeds"].differs


def test_user_data_cannot_be_told_apart_from_the_reference(tmp_path):
    results = gather(write_fake_results(tmp_path, with_changes(CONFIG, validation={"mode": "test"})))
    results.data["source"] = "user"
    (table,) = [block for block in deviation_blocks(results) if isinstance(block, Table)]
    rows = {row[0]: row for row in table.rows}
    assert rows["data"][2:4] == ("user data (resources/default), 600 / 200 clips", "see note")
    assert rows["validation set of the networks"][2:4] == ("test", "as the reference")


def test_the_warnings_are_referred_to_only_where_there_are_any(tmp_path):
    results = gather(write_fake_results(tmp_path, CONFIG))
    intro = deviation_blocks(results)[1].text
    assert "Warnings" not in intro and "none of the reference's flawed choices" in intro
    flawed = gather(
        write_fake_results(tmp_path / "flawed", with_changes(CONFIG, validation={"mode": "test"}))
    )
    assert deviation_blocks(flawed)[1].text.endswith("is listed under Warnings at the top.")
