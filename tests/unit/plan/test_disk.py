"""ascflow.plan.disk: what the plan reads from the disk."""

from __future__ import annotations

import pytest
from ascflow.errors import AscflowError
from ascflow.plan import disk
from plans import plan


def test_predict_dir_is_labelled_where_it_has_meta_csv(tmp_path):
    the_plan = plan({"predict_dir": str(tmp_path)})
    assert not disk.predict_dir_labelled(the_plan)
    (tmp_path / "meta.csv").write_text("filename\tscene_label\n")
    assert disk.predict_dir_labelled(the_plan)


def test_the_data_folder_names_are_what_the_users_folder_holds(tmp_path):
    (tmp_path / "classes.txt").write_text("a\nb\n")
    assert disk.data_folder_names(plan({"data_dir": str(tmp_path)})) == {"classes.txt"}
    assert disk.data_folder_names(plan({"data_dir": str(tmp_path / "missing")})) == set()


def test_the_listing_digest_follows_the_recordings(tmp_path):
    assert disk.audio_listing(plan()) == "" and disk.predict_listing(plan()) == ""
    (tmp_path / "audio").mkdir()
    (tmp_path / "audio" / "a.wav").write_bytes(b"")
    the_plan = plan({"audio_dir": str(tmp_path)})
    before = disk.audio_listing(the_plan)
    (tmp_path / "audio" / "b.wav").write_bytes(b"")
    assert disk.audio_listing(the_plan) != before


def test_a_folder_without_its_tables_stops_before_any_job(tmp_path):
    with pytest.raises(AscflowError, match=str(tmp_path)):
        disk.check_inputs(plan({"audio_dir": str(tmp_path)}))
    with pytest.raises(AscflowError):
        disk.check_inputs(plan({"predict_dir": str(tmp_path / "nothing")}))
    disk.check_inputs(plan())
