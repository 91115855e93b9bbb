"""Stage deployed: a real tiny CNN, trained for a few steps, exported as a
bundle with its int8 LiteRT and ONNX models (the workflow's own export), and
scored on test clips by all three runtimes."""

from __future__ import annotations

import pickle
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from ascflow.errors import AscflowError
from ascflow.files import read_json, write_json
from ascflow.stages.deployed import (
    DeployedInputs,
    DeployedOutputs,
    DeployedSettings,
    MeasureDeployed,
    deployed_budget,
    measure_deployed_job,
    runtime_scores,
)
from ascflow.stages.runtime import Runtime
from tiny_bundles import ARRAY_SHAPE, CLASSES, bundle_of

keras = pytest.importorskip("keras")

ARCHITECTURE = {"conv_layers": [{"filters": 2, "kernel_size": 3, "padding": "valid"}], "pool_size": 2}
LIMITS = {"parameter_memory_kb": 128, "macs_per_second": 30_000_000}


def clips(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Standardized 12 x 40 clips in the CNN's layout; class k is brighter by 2k."""
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % len(CLASSES)
    values = rng.normal(size=(n, *ARRAY_SHAPE, 1)).astype(np.float32) + 2.0 * labels[:, None, None, None]
    return values, labels


@pytest.fixture(scope="module")
def measured(tmp_path_factory):
    """A trained CNN's bundle and everything the stage reads beside it."""
    from ascflow.models.keras_build import build_model
    from ascflow.models.settings import architecture

    folder = tmp_path_factory.mktemp("deployed")
    keras.utils.set_random_seed(0)
    spec = architecture("cnn", ARCHITECTURE).spec((*ARRAY_SHAPE, 1), len(CLASSES))
    model = build_model(spec)
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy")
    train, train_labels = clips(48, seed=1)
    model.fit(train, train_labels, epochs=25, batch_size=16, verbose=0)
    model.save(folder / "cnn.keras")
    bundle = bundle_of(folder / "export" / "cnn", folder / "cnn.keras", "cnn", ARRAY_SHAPE, None)
    test, test_labels = clips(30, seed=2)
    np.save(folder / "test.npy", test)
    np.save(folder / "test_labels.npy", test_labels)
    # What the evaluation writes: the Keras model's probabilities of the test clips.
    np.save(folder / "predictions.npy", model.predict(test, verbose=0).astype(np.float64))
    n_features, n_frames = ARRAY_SHAPE
    write_json(
        folder / "summary.json",
        {"n_features": n_features, "n_frames": n_frames, "n_classes": len(CLASSES), "source": "arrays"},
    )
    write_json(
        folder / "metrics.json",
        {
            "model": "cnn",
            "n_params": model.count_params(),
            "settings": {**ARCHITECTURE, "epochs": 3},
            "data_fingerprint": "data of cnn",
            "settings_digest": "settings of cnn",
        },
    )
    return folder, bundle, model


def request(
    folder: Path, bundle: Path, limits=LIMITS, metrics="metrics.json", models=("cnn.keras",)
) -> MeasureDeployed:
    return MeasureDeployed(
        inputs=DeployedInputs(
            bundle=str(bundle),
            models=[str(folder / name) for name in models],
            predictions=str(folder / "predictions.npy"),
            features=str(folder / "test.npy"),
            labels=str(folder / "test_labels.npy"),
            summary=str(folder / "summary.json"),
            metrics=str(folder / metrics),
        ),
        outputs=DeployedOutputs(deployed=str(folder / "deployed" / "cnn.json")),
        settings=DeployedSettings(model="cnn", complexity_limits=limits),
        runtime=Runtime(threads=1),
    )


@pytest.fixture(scope="module")
def facts(measured):
    folder, bundle, _ = measured
    return measure_deployed_job(request(folder, bundle))


def test_the_three_runtimes_score_the_test_clips_side_by_side(measured, facts):
    folder, _, model = measured
    assert read_json(folder / "deployed" / "cnn.json") == facts
    runtimes = facts["runtimes"]
    assert list(runtimes) == ["keras", "litert", "onnx"] and facts["n_test"] == 30
    test, labels = clips(30, seed=2)
    keras_predicted = model.predict(test, verbose=0).argmax(axis=1)
    assert runtimes["keras"]["accuracy"] == pytest.approx((keras_predicted == labels).mean())
    assert runtimes["keras"]["accuracy"] > 0.5  # the classes are separable: it learnt something
    assert runtimes["keras"]["agreement"] == 1.0
    # ONNX computes in float32 as Keras does; int8 rounds, yet a trained model keeps most labels.
    assert runtimes["onnx"]["agreement"] == 1.0
    assert runtimes["onnx"]["log_loss"] == pytest.approx(runtimes["keras"]["log_loss"], abs=1e-4)
    assert runtimes["litert"]["agreement"] >= 0.8
    for score in runtimes.values():
        assert 0 <= score["ci95_low"] <= score["accuracy"] <= score["ci95_high"] <= 1
        assert score["log_loss"] > 0
    assert facts["float_ops"] == facts["float_ops_exported"] == []


def test_the_budget_is_the_int8_files_and_the_layers(measured, facts):
    _, _, model = measured
    parameters = model.count_params()
    memory = facts["memory"]["int8_file"]
    # The conv's 18 weights and the dense layer's are int8, their biases int32.
    assert memory["by_dtype"]["int8"]["parameters"] == 3 * 3 * 2 + 5 * 19 * 2 * 3
    assert memory["by_dtype"]["int32"] == {"parameters": 2 + 3, "bytes": 4 * 5}
    assert memory["parameters"] == parameters
    assert facts["memory"]["float32"]["bytes"] == 4 * parameters
    budget = facts["complexity"]
    assert budget["parameters"] == parameters and budget["memory_kb_int8_file"] == memory["kb"]
    # MACs: the conv's 10 x 38 positions x 9 taps x 2 filters, the dense layer's 190 x 3.
    assert budget["macs_per_clip"] == 10 * 38 * 9 * 2 + 190 * 3
    assert budget["clip_seconds"] == pytest.approx(39 * 0.02)
    assert budget["macs_per_second"] == pytest.approx(budget["macs_per_clip"] / (39 * 0.02))
    assert budget["fits_memory_int8_file"] and budget["fits_memory_float32"] and budget["fits_macs"]


def test_tight_limits_are_not_met(measured, facts):
    folder, _, model = measured
    limits = {"parameter_memory_kb": 0.5, "macs_per_second": 1000}
    budget = deployed_budget(
        ARCHITECTURE,
        "cnn",
        read_json(folder / "summary.json"),
        model.count_params(),
        facts["memory"]["int8_file"],
        limits,
    )
    assert budget["memory_kb_int8_file"] > 0.5
    assert not budget["fits_memory_int8_file"] and not budget["fits_memory_float32"]
    assert not budget["fits_macs"] and budget["limits"] == limits


def test_a_bundle_of_another_model_than_evaluated_is_refused(measured):
    folder, bundle, _ = measured
    metrics = read_json(folder / "metrics.json")
    write_json(folder / "other.json", {**metrics, "settings_digest": "settings of another cnn"})
    with pytest.raises(AscflowError, match="holds another model than results/metrics/cnn.json"):
        measure_deployed_job(request(folder, bundle, metrics="other.json"))


def test_a_bundle_of_another_file_than_the_evaluation_scored_is_refused(measured, tmp_path):
    folder, bundle, model = measured
    retrained = keras.models.clone_model(model)  # the same network, other weights
    retrained.set_weights([weights + 0.01 for weights in model.get_weights()])
    retrained.save(tmp_path / "retrained.keras")
    with pytest.raises(AscflowError, match=r"model\.keras: is not the model the evaluation scored") as raised:
        measure_deployed_job(request(folder, bundle, models=[str(tmp_path / "retrained.keras")]))
    assert "\n" not in str(raised.value)


def test_the_measurement_starts_no_tensorflow(measured):
    """The Keras model's scores are the evaluation's; the exported models
    run in LiteRT and ONNX Runtime, so the job never imports TensorFlow."""
    folder, bundle, _ = measured
    script = (
        "import pickle, sys\n"
        "from ascflow.stages.deployed import measure_deployed_job\n"
        "facts = measure_deployed_job(pickle.loads(sys.stdin.buffer.read()))\n"
        "started = {m.split('.')[0] for m in sys.modules} & {'tensorflow', 'keras'}\n"
        "print(sorted(started), facts['runtimes']['onnx']['agreement'])\n"
    )
    job = request(folder, bundle)
    job = replace(job, outputs=DeployedOutputs(deployed=str(folder / "subprocess" / "cnn.json")))
    done = subprocess.run(
        [sys.executable, "-c", script], input=pickle.dumps(job), capture_output=True, check=True
    )
    assert done.stdout.decode().split("\n")[-2] == "[] 1.0"


def test_a_bundle_without_its_int8_model_is_refused_in_one_sentence(measured, tmp_path):
    folder, _, _ = measured
    keras_only = bundle_of(tmp_path / "cnn", folder / "cnn.keras", "cnn", ARRAY_SHAPE, None, exported=False)
    with pytest.raises(AscflowError, match="holds no int8 LiteRT model"):
        measure_deployed_job(request(folder, keras_only))


def test_runtime_scores_by_hand():
    labels = np.array([0, 1, 1, 0])
    keras_probabilities = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.7, 0.3]])
    int8 = np.array([[0.9, 0.1], [0.2, 0.8], [0.4, 0.6], [0.4, 0.6]])
    scores = runtime_scores(labels, {"keras": keras_probabilities, "litert": int8}, reference="keras")
    assert scores["keras"]["accuracy"] == 0.75 and scores["litert"]["accuracy"] == 0.75
    assert scores["litert"]["agreement"] == 0.5 and scores["keras"]["agreement"] == 1.0
    expected = -np.mean(np.log([0.9, 0.8, 0.4, 0.7]))
    assert scores["keras"]["log_loss"] == pytest.approx(expected)
