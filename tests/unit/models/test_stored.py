"""ascflow.models.stored: a model file is the one its training wrote."""

from __future__ import annotations

import pytest
from ascflow.errors import AscflowError
from ascflow.files import file_digest
from ascflow.models.stored import check_written


def test_a_changed_model_file_is_named_with_its_training_record(tmp_path):
    model = tmp_path / "cnn.keras"
    model.write_bytes(b"weights")
    info = {"model_sha256": file_digest(model)}
    check_written(str(model), info, "cnn.train.json")
    model.write_bytes(b"weight")  # truncated
    with pytest.raises(
        AscflowError, match=r"cnn\.keras: is not the file its training wrote .* cnn\.train\.json"
    ):
        check_written(str(model), info, "cnn.train.json")
