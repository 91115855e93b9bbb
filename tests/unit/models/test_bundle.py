"""Model bundles: what the manifest records, loading that runs no code from
the bundle, and every bundle this version cannot use refused in one sentence."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import joblib
import keras
import numpy as np
import pytest
import skops.io
from ascflow.data.audio import FRONT_END
from ascflow.errors import AscflowError
from ascflow.files import file_digest
from ascflow.models.bundle import FORMAT_VERSION, MANIFEST, load_bundle, needs_tensorflow, read_manifest
from support import TINY_AUDIO
from tiny_bundles import ARRAY_SHAPE, CLASSES, bundle_of, provenance


def copy_of(bundle: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(bundle, tmp_path / bundle.name))


def edit_manifest(bundle: Path, **changes) -> None:
    manifest = json.loads((bundle / MANIFEST).read_text())
    (bundle / MANIFEST).write_text(json.dumps({**manifest, **changes}))


def test_manifest_records_what_prediction_needs(forest_bundle, cnn_bundle):
    forest = read_manifest(forest_bundle)
    assert forest["format_version"] == FORMAT_VERSION and forest["family"] == "rf"
    assert forest["model_file"] == "model.skops" and forest["class_names"] == CLASSES
    assert forest["clip"] == {"n_features": 12, "n_frames": 40} and forest["input_shape"] == [480]
    assert forest["features"]["layout"] == "flat" and forest["features"]["standardize"] == "per_band"
    assert len(forest["features"]["band_mean"]) == 12 and forest["audio"] is None
    assert forest["files"] == {"model.skops": file_digest(forest_bundle / "model.skops")}
    assert forest["data_fingerprint"] == provenance("rf_5").data_fingerprint
    cnn = read_manifest(cnn_bundle)
    assert cnn["input_shape"] == [12, 51, 1] and cnn["features"]["layout"] == "channel"
    without_chunks = {key: value for key, value in TINY_AUDIO.items() if key != "chunk_files"}
    assert cnn["audio"]["settings"] == {**without_chunks, "fmin": 0.0, "fmax": 4000.0, "clip_s": 1.0}
    assert cnn["audio"]["front_end"] == FRONT_END
    assert sorted(path.name for path in cnn_bundle.iterdir()) == [
        "manifest.json",
        "model.keras",
        "model.onnx",
        "model_int8.tflite",
    ]
    assert cnn["files"] == {name: file_digest(cnn_bundle / name) for name in cnn["files"]}
    assert set(cnn["files"]) == {"model.keras", "model.onnx", "model_int8.tflite"}
    assert cnn["runtimes"]["litert"]["file"] == "model_int8.tflite"
    assert (
        cnn["runtimes"]["litert"]["float_ops"] == []
        and cnn["runtimes"]["litert"]["representative_clips"] == 8
    )
    assert np.asarray(cnn["runtimes"]["onnx"]["probe_outputs"]).shape == (cnn["probe"]["clips"], len(CLASSES))
    assert forest["runtimes"] == {} and forest["probe"] is None


def test_forest_is_no_pickle_and_predicts_as_before_export(forest_bundle):
    model_file = forest_bundle / "model.skops"
    assert model_file.read_bytes()[:2] == b"PK"  # a zip archive of JSON and arrays, not a pickle
    bundle = load_bundle(forest_bundle)
    trained = joblib.load(forest_bundle.parent / "rf_5.joblib")
    clips = np.random.default_rng(1).normal(size=(4, *ARRAY_SHAPE)).astype(np.float32)
    expected = trained.predict_proba(bundle.model_input(clips))
    np.testing.assert_array_equal(bundle.probabilities(clips), expected)


def test_changed_model_file_is_refused_before_it_is_loaded(forest_bundle, tmp_path):
    bundle = copy_of(forest_bundle, tmp_path)
    with open(bundle / "model.skops", "ab") as handle:
        handle.write(b"\0")
    with pytest.raises(
        AscflowError,
        match=rf"^{re.escape(str(bundle / 'model.skops'))}: does not match the SHA-256 the bundle's "
        r"manifest records \(changed or damaged since it was exported\); export it again\.$",
    ):
        load_bundle(bundle)
    (bundle / "model.skops").unlink()
    with pytest.raises(AscflowError, match=r"model\.skops: is missing from the bundle\.$"):
        load_bundle(bundle)


REFUSED = {
    "newer-format": (
        {"format_version": FORMAT_VERSION + 1},
        rf"is a bundle of format version {FORMAT_VERSION + 1}, which this version of ascflow cannot read",
    ),
    "not-a-bundle": ({"format": "something-else"}, r"not the manifest of an ascflow model bundle"),
    "unknown-family": ({"family": "svm"}, r"describes a model of family 'svm' that this version cannot use"),
}


@pytest.mark.parametrize(("changes", "message"), REFUSED.values(), ids=REFUSED)
def test_manifest_this_version_cannot_read_is_one_sentence(forest_bundle, tmp_path, changes, message):
    bundle = copy_of(forest_bundle, tmp_path)
    edit_manifest(bundle, **changes)
    with pytest.raises(AscflowError, match=message) as raised:
        load_bundle(bundle)
    assert str(raised.value).count(". ") == 0 and str(raised.value).endswith(".")


def test_other_audio_front_end_and_missing_manifest_are_refused(cnn_bundle, tmp_path):
    bundle = copy_of(cnn_bundle, tmp_path)
    manifest = json.loads((bundle / MANIFEST).read_text())
    manifest["audio"]["front_end"]["downmix"] = "left_channel"
    (bundle / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(
        AscflowError, match=r"computes otherwise \(downmix of the audio front-end differ\)\.$"
    ):
        load_bundle(bundle)
    (bundle / MANIFEST).unlink()
    with pytest.raises(AscflowError, match=rf"^{re.escape(str(bundle))}: not a model bundle \(it has no "):
        load_bundle(bundle)
    with pytest.raises(
        AscflowError,
        match=r"nowhere: no such bundle folder; bundles are made by the workflow, whose run "
        r"\(`snakemake --cores 8` in its folder\) exports every model it trains to results/export/<model>\.$",
    ):
        load_bundle(tmp_path / "nowhere")
    with pytest.raises(
        AscflowError,
        match=rf"^{re.escape(str(bundle / 'model.keras'))}: is a file, but a bundle is a folder "
        r"\(such as results/export/cnn\)\.$",
    ):
        load_bundle(bundle / "model.keras")


def test_forest_file_with_other_types_is_not_loaded(forest_bundle, tmp_path):
    """A skops file that would build anything beyond a forest (here a call
    to print through functools.partial) is refused, never loaded."""
    import functools

    bundle = copy_of(forest_bundle, tmp_path)
    skops.io.dump({"forest": functools.partial(print, "ran")}, bundle / "model.skops")
    edit_manifest(bundle, files={"model.skops": file_digest(bundle / "model.skops")})
    with pytest.raises(AscflowError, match=r"holds types a forest does not need, so it is not loaded "):
        load_bundle(bundle)


def test_keras_model_that_would_run_code_is_refused(tmp_path):
    """A Lambda layer is code: Keras's safe mode refuses it, in one sentence."""
    model = keras.Sequential(
        [
            keras.Input((12, 51, 1)),
            keras.layers.Lambda(lambda x: x * 2),
            keras.layers.Flatten(),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )
    model.save(tmp_path / "lambda.keras")
    bundle_of(tmp_path / "bundle", tmp_path / "lambda.keras", "cnn", (12, 51), TINY_AUDIO, exported=False)
    with pytest.raises(AscflowError, match=r"model\.keras: cannot be loaded \(ValueError: .*\)\.$") as raised:
        load_bundle(tmp_path / "bundle")
    assert "\n" not in str(raised.value)


def test_model_of_another_input_shape_than_its_manifest_is_refused(cnn_bundle, tmp_path):
    bundle = copy_of(cnn_bundle, tmp_path)
    edit_manifest(bundle, input_shape=[40, 501, 1])
    with pytest.raises(AscflowError, match=r"takes inputs of shape \(12, 51, 1\), not the \(40, 501, 1\)"):
        load_bundle(bundle)


# ---- the exported runtimes ---------------------------------------------------


@pytest.mark.parametrize("runtime", ["litert", "onnx"])
def test_exported_runtime_predicts_as_the_keras_model(cnn_bundle, runtime):
    keras_bundle, exported = load_bundle(cnn_bundle), load_bundle(cnn_bundle, runtime, threads=1)
    assert exported.runtime == runtime and exported.runner.runtime == runtime
    clips = np.random.default_rng(2).normal(-5, 2, size=(9, 12, 51)).astype(np.float32)
    expected, found = keras_bundle.probabilities(clips), exported.probabilities(clips)
    assert found.shape == (9, len(CLASSES))
    np.testing.assert_allclose(found.sum(axis=1), 1.0)
    np.testing.assert_allclose(found, expected, atol=1e-4 if runtime == "onnx" else 0.15)
    assert (found.argmax(axis=1) == expected.argmax(axis=1)).mean() >= 0.6


@pytest.fixture(scope="module")
def other_exports(tmp_path_factory) -> dict[str, bytes]:
    """The int8 LiteRT and ONNX models of another CNN of the same shapes:
    what a forger would put in a bundle."""
    from ascflow.models.runtimes import int8_litert, onnx_model

    keras.utils.set_random_seed(7)
    model = keras.Sequential(
        [
            keras.Input((12, 51, 1)),
            keras.layers.Conv2D(2, 3, activation="relu"),
            keras.layers.Flatten(),
            keras.layers.Dense(
                3, activation="softmax", bias_initializer=keras.initializers.RandomNormal(0, 3)
            ),
        ]
    )
    clips = np.random.default_rng(3).standard_normal((8, 12, 51, 1)).astype(np.float32)
    return {"model_int8.tflite": int8_litert(model, clips)[0], "model.onnx": onnx_model(model)}


FILES = {"litert": "model_int8.tflite", "onnx": "model.onnx"}


def forge(bundle: Path, name: str, content: bytes, probe_too: bool = False) -> None:
    """Replace a bundle's file and rewrite its digest (and, with
    ``probe_too``, its recorded probe outputs) to match."""
    from ascflow.models.runtimes import open_runtime, probe_inputs

    (bundle / name).write_bytes(content)
    manifest = json.loads((bundle / MANIFEST).read_text())
    manifest["files"][name] = file_digest(bundle / name)
    if probe_too:
        runtime = next(key for key, value in FILES.items() if value == name)
        probe = probe_inputs(
            tuple(manifest["input_shape"]), manifest["probe"]["clips"], manifest["probe"]["seed"]
        )
        outputs = open_runtime(bundle / name, runtime).predict(probe)
        manifest["runtimes"][runtime]["probe_outputs"] = outputs.tolist()
    (bundle / MANIFEST).write_text(json.dumps(manifest))


def one_sentence(raised) -> str:
    message = str(raised.value)
    assert "\n" not in message and message.endswith(".") and message.count(". ") == 0, message
    return message


@pytest.mark.parametrize("runtime", ["litert", "onnx"])
def test_missing_or_damaged_exported_file_is_refused(cnn_bundle, tmp_path, runtime):
    name = FILES[runtime]
    bundle = copy_of(cnn_bundle, tmp_path)
    with open(bundle / name, "ab") as handle:
        handle.write(b"\0")
    for asked in ("keras", runtime):  # the whole bundle is refused, whichever runtime is asked
        with pytest.raises(AscflowError, match=rf"{re.escape(name)}: does not match the SHA-256") as raised:
            load_bundle(bundle, asked)
        one_sentence(raised)
    (bundle / name).unlink()
    with pytest.raises(AscflowError, match=rf"{re.escape(name)}: is missing from the bundle\.$"):
        load_bundle(bundle, runtime)


@pytest.mark.parametrize("runtime", ["litert", "onnx"])
def test_forged_exported_file_is_refused_without_running_code(cnn_bundle, tmp_path, runtime, other_exports):
    name = FILES[runtime]
    garbage = copy_of(cnn_bundle, tmp_path / "garbage")
    forge(garbage, name, b"import os; os.system('echo ran')\n" * 20)
    with pytest.raises(
        AscflowError, match=rf"^{re.escape(str(garbage / name))}: cannot be loaded as an "
    ) as raised:
        load_bundle(garbage, runtime)
    one_sentence(raised)
    # Another model's file, its digest rewritten: it computes other probabilities.
    other = copy_of(cnn_bundle, tmp_path / "other")
    forge(other, name, other_exports[name])
    with pytest.raises(
        AscflowError, match=r"does not compute the probabilities its export recorded"
    ) as raised:
        load_bundle(other, runtime)
    assert one_sentence(raised).startswith(str(other / name))
    # ... and its recorded probe outputs rewritten too: the Keras model disagrees.
    forged = copy_of(cnn_bundle, tmp_path / "forged")
    forge(forged, name, other_exports[name], probe_too=True)
    with pytest.raises(
        AscflowError, match=r"disagrees with the bundle's Keras model on the probe clips"
    ) as raised:
        load_bundle(forged, runtime)
    assert one_sentence(raised).startswith(str(forged / name))
    # The other runtime's file is untouched, and Keras still loads: each is checked when asked for.
    load_bundle(forged, "keras")
    # A bundle exported before the Keras model's probe outputs were recorded:
    # the Keras model itself disagrees.
    probe = json.loads((forged / MANIFEST).read_text())["probe"]
    edit_manifest(forged, probe={key: probe[key] for key in ("clips", "seed")})
    with pytest.raises(
        AscflowError, match=r"disagrees with the bundle's Keras model on the probe clips"
    ) as raised:
        load_bundle(forged, runtime)
    assert one_sentence(raised).startswith(str(forged / name))


@pytest.mark.parametrize("runtime", ["litert", "onnx"])
def test_exported_runtime_loads_without_tensorflow(cnn_bundle, runtime):
    """An exported model is checked against the Keras model's recorded probe
    outputs, so predicting with it never starts TensorFlow (seconds)."""
    script = (
        "import sys, numpy as np\n"
        "from ascflow.models.bundle import load_bundle\n"
        f"bundle = load_bundle({str(cnn_bundle)!r}, {runtime!r}, threads=1)\n"
        "p = bundle.probabilities(np.zeros((3, 12, 51), np.float32))\n"
        "started = {m.split('.')[0] for m in sys.modules} & {'tensorflow', 'keras'}\n"
        "print(p.shape, bundle.model, sorted(started))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.split("\n")[-2] == f"(3, {len(CLASSES)}) None []"


def test_recorded_keras_outputs_of_another_shape_are_refused(cnn_bundle, tmp_path):
    bundle = copy_of(cnn_bundle, tmp_path)
    manifest = json.loads((bundle / MANIFEST).read_text())
    edit_manifest(bundle, probe={**manifest["probe"], "keras_outputs": [[1.0]]})
    with pytest.raises(AscflowError, match=r"records no probabilities of the Keras model") as raised:
        load_bundle(bundle, "litert")
    one_sentence(raised)
    assert needs_tensorflow(manifest, "litert") is False and needs_tensorflow(manifest, "keras") is True


def test_exported_file_of_other_shapes_is_refused(cnn_bundle, tmp_path):
    bundle = copy_of(cnn_bundle, tmp_path)
    manifest = json.loads((bundle / MANIFEST).read_text())
    manifest["class_names"] = [*CLASSES, "park"]
    (bundle / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(
        AscflowError, match=r"model\.onnx: takes inputs of shape \(12, 51, 1\) and gives 3 outputs"
    ):
        load_bundle(bundle, "onnx")


def test_version_1_bundle_runs_in_keras_and_says_it_has_no_exports(cnn_bundle, tmp_path):
    bundle = copy_of(cnn_bundle, tmp_path)
    manifest = json.loads((bundle / MANIFEST).read_text())
    for name in ("model_int8.tflite", "model.onnx"):
        (bundle / name).unlink()
        del manifest["files"][name]
    for key in ("runtimes", "probe"):
        del manifest[key]
    (bundle / MANIFEST).write_text(json.dumps({**manifest, "format_version": 1}))
    clips = np.zeros((2, 12, 51), np.float32)
    np.testing.assert_allclose(
        load_bundle(bundle).probabilities(clips), load_bundle(cnn_bundle).probabilities(clips)
    )
    for runtime, model in (("litert", "int8 LiteRT model"), ("onnx", "ONNX model")):
        with pytest.raises(
            AscflowError, match=rf"holds no {model} \(a bundle of format version 1,"
        ) as raised:
            load_bundle(bundle, runtime)
        one_sentence(raised)


def test_forest_runs_only_in_its_own_format(forest_bundle):
    for runtime in ("litert", "onnx"):
        with pytest.raises(AscflowError, match=rf"is a forest, .* not in runtime {runtime}\.$") as raised:
            load_bundle(forest_bundle, runtime)
        one_sentence(raised)
    with pytest.raises(AscflowError, match=r"unknown runtime 'tflite'; choose one of keras, litert, onnx\.$"):
        load_bundle(forest_bundle, "tflite")


def test_an_int8_model_is_held_to_the_mean_over_the_probes_onnx_to_every_probe(tmp_path):
    """A sharp network's int8 model can flip a noise clip or two (the
    reference-size LSTM moved one probe by 0.49, the mean was 0.28);
    another model moves them all."""
    from ascflow.models.bundle_runtimes import INT8_TOLERANCE, check_against_keras

    keras_outputs = np.tile([[0.9, 0.05, 0.05]], (16, 1))
    one_flipped = keras_outputs.copy()
    one_flipped[3] = [0.05, 0.9, 0.05]
    check_against_keras(tmp_path / "model_int8.tflite", "litert", one_flipped, keras_outputs)
    with pytest.raises(AscflowError, match=r"0\.85 apart at most, 0\.001 allowed"):
        check_against_keras(tmp_path / "model.onnx", "onnx", one_flipped, keras_outputs)
    another = np.tile([[0.05, 0.05, 0.9]], (16, 1))
    with pytest.raises(AscflowError, match=rf"0\.85 apart on average, {INT8_TOLERANCE:g} allowed") as raised:
        check_against_keras(tmp_path / "model_int8.tflite", "litert", another, keras_outputs)
    one_sentence(raised)
