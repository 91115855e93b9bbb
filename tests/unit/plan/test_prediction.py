"""ascflow.plan.prediction: what the predict target reads and delivers."""

from __future__ import annotations

import pytest
from ascflow.errors import AscflowError
from plans import plan


def test_without_predict_dir_the_predict_target_says_what_to_set():
    with pytest.raises(AscflowError, match="^config key predict_dir: is empty"):
        plan().prediction.targets()
    assert plan().prediction.files("table") == []


def test_what_prediction_reads(tmp_path):
    arrays = plan({"predict_dir": str(tmp_path)}).prediction
    inputs = arrays.inputs("cnn", [], labelled=True)
    assert inputs["clips"] == str(tmp_path / "X.npy") and inputs["meta"] == str(tmp_path / "meta.csv")
    assert "meta" not in arrays.inputs("cnn", [], labelled=False)
    assert {(made.rule, made.name) for made in arrays.targets()} == {
        ("predict_model", "table"),
        ("predict_model", "facts"),
    }
    recordings = plan({"predict_dir": str(tmp_path), "audio_dir": "/data/rec"}).prediction
    inputs = recordings.inputs("lstm", ["0000", "0001"], labelled=True)
    assert [dict(made.wildcards)["chunk"] for made in inputs["chunks"]] == ["0000", "0001"]
    assert "clips" not in inputs and inputs["bundle"] == recordings.inputs("lstm", [], False)["bundle"]
