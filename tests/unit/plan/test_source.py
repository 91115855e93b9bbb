"""ascflow.plan.source: where a run's data comes from."""

from __future__ import annotations

import pytest
from ascflow.errors import AscflowError
from plans import plan


@pytest.mark.parametrize(
    ("override", "source", "data_dir"),
    [
        ({}, "synthetic", "resources/default"),
        ({"data_dir": "/data/tut"}, "user", "/data/tut"),
        ({"audio_dir": "/data/rec"}, "audio", "results/audio/data"),
    ],
)
def test_the_data_source_decides_where_the_arrays_are(override, source, data_dir):
    data = plan(override).data
    assert (data.source, data.data_dir) == (source, data_dir)
    assert data.made_with_groups == (source != "user")


def test_the_data_files_follow_the_source():
    user = plan({"data_dir": "/data/tut"}).data
    assert set(user.data_files({"classes.txt"})) == {"X_train", "y_train", "X_test", "y_test", "classes"}
    assert "groups_train" in user.data_files({"groups_train.npy", "groups_test.npy"})
    made = plan().data.data_files(set())
    assert made["groups_test"] == "resources/default/groups_test.npy" and "classes" in made


def test_settings_that_contradict_each_other_stop_in_one_sentence():
    with pytest.raises(AscflowError, match="^config keys data_dir and audio_dir are both set"):
        plan({"data_dir": "/data/tut", "audio_dir": "/data/rec"}).data.check()
    with pytest.raises(AscflowError, match="^config key example_audio.write: .* set audio_dir: resources"):
        plan({"audio_dir": "/data/rec", "example_audio": {"write": True}}).data.check()
    plan({"audio_dir": "resources/example-audio", "example_audio": {"write": True}}).data.check()


def test_the_chunk_size_is_no_extraction_setting():
    data = plan({"audio_dir": "/data/rec"}).data
    assert "chunk_files" not in data.audio_settings and "write" not in data.example_audio_settings
    assert list(data.audio_settings) == sorted(data.audio_settings)
