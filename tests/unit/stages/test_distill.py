"""ascflow.stages.distill: the teachers' averaged probabilities of every
training clip, from real forests on disk (no TensorFlow): averaged, checked
against each teacher's facts, and refused in one sentence when a teacher's
file is not the one its training wrote."""

from __future__ import annotations

import joblib
import numpy as np
import pytest
from ascflow.errors import AscflowError
from ascflow.files import file_digest, read_json, write_json
from ascflow.models.forest import train_forest
from ascflow.models.settings import forest_settings
from ascflow.stages.distill import (
    TeacherInputs,
    TeacherOutputs,
    TeacherProbabilities,
    TeacherSettings,
    teacher_probabilities_job,
)


def _teachers(tmp_path, n_clips=40, n_classes=3):
    rng = np.random.default_rng(0)
    labels = np.arange(n_clips) % n_classes
    features = (rng.normal(size=(n_clips, 6)) + labels[:, None]).astype(np.float32)
    np.save(tmp_path / "features.npy", features)
    np.save(tmp_path / "labels.npy", labels)
    write_json(tmp_path / "summary.json", {"fingerprint": "data", "n_classes": n_classes})
    files = {}
    for trees in (3, 7):
        name = f"rf_{trees}"
        forest, _ = train_forest(
            features, labels, forest_settings({"max_features": "sqrt", "min_samples_leaf": 1}, trees), 0, 1
        )
        joblib.dump(forest, tmp_path / f"{name}.joblib")
        info = {"data_fingerprint": "data", "model_sha256": file_digest(tmp_path / f"{name}.joblib")}
        write_json(tmp_path / f"{name}.train.json", info)
        files |= {
            f"model_{name}": [str(tmp_path / f"{name}.joblib")],
            f"info_{name}": [str(tmp_path / f"{name}.train.json")],
            f"features_{name}": str(tmp_path / "features.npy"),
        }
        files[f"forest_{name}"] = forest
    return features, labels, files


def _job(tmp_path, files) -> TeacherProbabilities:
    return TeacherProbabilities(
        inputs=TeacherInputs(
            labels=str(tmp_path / "labels.npy"),
            summary=str(tmp_path / "summary.json"),
            teachers={key: value for key, value in files.items() if not key.startswith("forest_")},
        ),
        outputs=TeacherOutputs(str(tmp_path / "teachers.npy"), str(tmp_path / "teachers.json")),
        settings=TeacherSettings(teachers=["rf_3", "rf_7"]),
    )


def test_the_teachers_probabilities_are_averaged(tmp_path):
    features, labels, files = _teachers(tmp_path)
    teacher_probabilities_job(_job(tmp_path, files))
    averaged = np.load(tmp_path / "teachers.npy")
    expected = (
        files["forest_rf_3"].predict_proba(features) + files["forest_rf_7"].predict_proba(features)
    ) / 2
    np.testing.assert_allclose(averaged, expected, rtol=1e-6)
    facts = read_json(tmp_path / "teachers.json")
    assert facts["teachers"] == ["rf_3", "rf_7"] and facts["n_clips"] == labels.size and facts["in_sample"]
    assert facts["per_teacher"]["rf_7"]["accuracy_on_training_clips"] == pytest.approx(
        np.mean(files["forest_rf_7"].predict(features) == labels)
    )


def test_a_changed_teacher_file_is_refused(tmp_path):
    _, _, files = _teachers(tmp_path)
    joblib.dump({"not": "a forest"}, files["model_rf_7"][0])
    with pytest.raises(AscflowError, match="rf_7.joblib: is not the file its training wrote"):
        teacher_probabilities_job(_job(tmp_path, files))
    assert not (tmp_path / "teachers.npy").exists()
