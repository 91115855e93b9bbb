"""ascflow.predict and the console command on small bundles: recordings of
any rate and channel count prepared as training prepared its own, arrays,
evaluation against meta.csv, and every bad input named in one sentence."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import librosa
import numpy as np
import pandas as pd
import pytest
import soundfile
from ascflow.errors import AscflowError
from ascflow.models.bundle import load_bundle
from ascflow.prediction import predict, prediction_facts, score_predictions
from support import REPO as REPOSITORY
from tiny_bundles import ARRAY_SHAPE, CLASSES


def write_wav(path: Path, seconds: float, rate: int, channels: int, seed: int = 0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    noise = np.random.default_rng(seed).uniform(-0.3, 0.3, size=(round(seconds * rate), channels))
    subtype = "FLOAT" if path.suffix == ".wav" else "PCM_16"
    soundfile.write(path, noise.astype(np.float32), rate, subtype=subtype)
    return path


def folder_of_recordings(folder: Path) -> Path:
    """Three recordings of other rates, lengths and channel counts than the
    bundle's 1 s at 8 kHz mono, one in a folder below."""
    write_wav(folder / "audio" / "a.wav", 1.4, 16000, 2, seed=1)
    write_wav(folder / "audio" / "b.flac", 0.7, 8000, 1, seed=2)
    write_wav(folder / "more" / "c.wav", 1.0, 22050, 1, seed=3)
    (folder / "notes.txt").write_text("not a recording, and left alone\n")
    return folder


def test_recordings_are_prepared_with_the_bundles_settings(cnn_bundle, tmp_path):
    folder = folder_of_recordings(tmp_path / "new")
    table = predict(folder, cnn_bundle)
    assert list(table.columns) == ["filename", "scene_label", *CLASSES]
    assert table["filename"].tolist() == ["audio/a.wav", "audio/b.flac", "more/c.wav"]
    probabilities = table[CLASSES].to_numpy()
    np.testing.assert_allclose(probabilities.sum(axis=1), 1, atol=1e-9)
    assert table["scene_label"].tolist() == [CLASSES[k] for k in probabilities.argmax(axis=1)]
    # By hand: mix down, resample, pad or cut to 1 s, log-mel, standardize, the model.
    bundle = load_bundle(cnn_bundle)
    by_hand = []
    for name in table["filename"]:
        samples, rate = soundfile.read(folder / name, dtype="float32", always_2d=True)
        signal = librosa.resample(samples.mean(axis=1), orig_sr=rate, target_sr=8000)
        signal = np.pad(signal, (0, max(0, 8000 - signal.size)))[:8000]
        mel = librosa.feature.melspectrogram(
            y=signal,
            sr=8000,
            n_fft=512,
            hop_length=160,
            win_length=320,
            window="hamming",
            power=1.0,
            n_mels=12,
            fmin=0,
            fmax=4000,
        )
        by_hand.append(((np.log(mel + np.spacing(1.0)) + 5.0) / 2.0).astype(np.float32))
    expected = bundle.model.predict(np.stack(by_hand)[..., None], verbose=0)
    np.testing.assert_allclose(probabilities, expected, atol=1e-5)


def test_an_array_file_a_list_and_an_array_give_the_same_rows(forest_bundle, tmp_path):
    clips = np.random.default_rng(5).normal(size=(6, *ARRAY_SHAPE)).astype(np.float32)
    np.save(tmp_path / "X.npy", clips)
    from_folder = predict(tmp_path, forest_bundle)
    from_array = predict(clips, forest_bundle)
    assert from_folder["filename"].tolist() == [str(row) for row in range(6)]
    pd.testing.assert_frame_equal(from_folder, from_array)
    pd.testing.assert_frame_equal(predict([tmp_path / "X.npy"], forest_bundle), from_array)


BAD_INPUTS = {
    "missing": (lambda tmp: tmp / "nowhere", r"{path}: no such file or folder\."),
    "empty-folder": (
        lambda tmp: (tmp / "empty").mkdir() or tmp / "empty",
        r"{path}: holds no recordings \(.*\)\.",
    ),
    "not-audio": (
        lambda tmp: (tmp / "notes.txt").write_text("x") and tmp / "notes.txt",
        r"{path}: is neither a recording \(.*\) nor an array of clips \(\.npy\)\.",
    ),
    "unreadable": (
        lambda tmp: (tmp / "bad.wav").write_bytes(b"RIFF garbage" * 20) and tmp / "bad.wav",
        r"{path}: cannot be read as audio \(.*\)\.",
    ),
    "array-for-recordings": (
        lambda tmp: np.save(tmp / "x.npy", np.zeros((2, 12, 51))) or tmp / "x.npy",
        None,  # the CNN was trained on recordings: arrays of its shape are fine
    ),
    "wrong-shape": (
        lambda tmp: np.save(tmp / "x.npy", np.zeros((2, 40, 501))) or tmp / "x.npy",
        r"{path}: clips are 40 x 501 \(features x frames\) but \S+ was trained on 12 x 51\.",
    ),
}


@pytest.mark.parametrize(("make", "message"), BAD_INPUTS.values(), ids=BAD_INPUTS)
def test_bad_input_is_one_sentence_naming_it(cnn_bundle, tmp_path, make, message):
    path = make(tmp_path)
    if message is None:
        assert len(predict([path], cnn_bundle)) == 2
        return
    with pytest.raises(AscflowError, match="^" + message.format(path=re.escape(str(path))) + "$"):
        predict([path], cnn_bundle)


def test_array_model_refuses_recordings_and_odd_arrays(forest_bundle, tmp_path):
    recording = write_wav(tmp_path / "a.wav", 1.0, 8000, 1)
    arrays_only = (
        rf"{re.escape(str(forest_bundle))} was trained on arrays, so it classifies \.npy clips of shape "
        r"\(n, 12, 40\) \(clips x features x frames\), not recordings\."
    )
    with pytest.raises(
        AscflowError, match=rf"^{re.escape(str(recording))}: is a recording, and {arrays_only}$"
    ):
        predict(recording, forest_bundle)
    with pytest.raises(
        AscflowError,
        match=rf"^{re.escape(str(tmp_path))}: holds recordings but no X\.npy, and {arrays_only}$",
    ):
        predict(tmp_path, forest_bundle)
    recording.unlink()
    with pytest.raises(AscflowError, match=r"has no X\.npy \(clips x features x frames\)"):
        predict(tmp_path, forest_bundle)
    with pytest.raises(AscflowError, match=r"^the array given: expected a 3-D array"):
        predict(np.zeros((12, 40)), forest_bundle)
    not_finite = np.zeros((2, *ARRAY_SHAPE))
    not_finite[1, 3, 4] = np.nan
    with pytest.raises(AscflowError, match=r"^the array given: holds NaN or infinite values\.$"):
        predict(not_finite, forest_bundle)
    np.save(tmp_path / "X.npy", np.array([{"a": 1}], dtype=object))
    with pytest.raises(AscflowError, match=r"X\.npy: holds Python objects"):
        predict(tmp_path, forest_bundle)


def test_recordings_model_given_a_folder_of_an_array_asks_for_the_file(cnn_bundle, tmp_path):
    """A bundle trained on recordings takes arrays of its clip shape as .npy
    files; a folder holding X.npy alone is not a folder of recordings."""
    np.save(tmp_path / "X.npy", np.zeros((2, 12, 51)))
    with pytest.raises(
        AscflowError,
        match=rf"^{re.escape(str(tmp_path))}: holds X\.npy but no recordings \(\.wav, .*\), and "
        rf"{re.escape(str(cnn_bundle))} was trained on recordings, so give it the \.npy file itself to "
        r"classify its clips\.$",
    ):
        predict(tmp_path, cnn_bundle)
    assert len(predict(tmp_path / "X.npy", cnn_bundle)) == 2


def labelled(table: pd.DataFrame, tmp_path: Path, rows: list[str], header: str) -> Path:
    path = tmp_path / "meta.csv"
    path.write_text(header + "\n" + "".join(f"{row}\n" for row in rows))
    return path


def test_scores_against_meta_csv_with_devices(forest_bundle, tmp_path):
    clips = np.random.default_rng(6).normal(size=(8, *ARRAY_SHAPE)).astype(np.float32)
    bundle = load_bundle(forest_bundle)
    probabilities = bundle.probabilities(clips)
    table = predict(clips, bundle)
    truth = [CLASSES[k % 3] for k in range(8)]
    devices = ["a", "a", "b", "b", "b", "s1", "s1", "s1"]
    meta = labelled(
        table,
        tmp_path,
        [f"{row}\t{label}\t{device}" for row, (label, device) in enumerate(zip(truth, devices, strict=True))],
        "filename\tscene_label\tsource_label",
    )
    facts = prediction_facts(bundle, table, probabilities, [], "PATH", meta)
    true = np.array([CLASSES.index(label) for label in truth])
    predicted = probabilities.argmax(axis=1)
    assert facts["labelled"] and facts["accuracy"] == pytest.approx((predicted == true).mean())
    from sklearn.metrics import log_loss

    assert facts["log_loss"] == pytest.approx(log_loss(true, probabilities, labels=[0, 1, 2]))
    assert facts["device_column"] == "source_label"
    for device in ("a", "b", "s1"):
        chosen = np.array(devices) == device
        assert facts["per_device"][device]["n"] == chosen.sum()
        assert facts["per_device"][device]["accuracy"] == pytest.approx((predicted == true)[chosen].mean())
    assert facts["predicted_counts"] == np.bincount(predicted, minlength=3).tolist()
    # DCASE's evaluation set lists files without labels: counted, not scored.
    unlabelled = labelled(table, tmp_path, [str(row) for row in range(8)], "filename")
    assert score_predictions(table, probabilities, CLASSES, unlabelled) == {
        "labelled": False,
        "device_column": None,
    }


def test_labels_that_do_not_fit_are_named(forest_bundle, tmp_path):
    clips = np.zeros((2, *ARRAY_SHAPE), dtype=np.float32)
    bundle = load_bundle(forest_bundle)
    table, probabilities = predict(clips, bundle), bundle.probabilities(clips)
    meta = labelled(table, tmp_path, ["0\tbeach", "1\tforest"], "filename\tscene_label")
    with pytest.raises(
        AscflowError, match=r"meta\.csv line 3: scene label 'forest' is not a class of the model"
    ):
        score_predictions(table, probabilities, CLASSES, meta)
    meta = labelled(table, tmp_path, ["0\tbeach"], "filename\tscene_label")
    with pytest.raises(AscflowError, match=r"meta\.csv: has no scene label for 1; label every recording"):
        score_predictions(table, probabilities, CLASSES, meta)


def test_import_ascflow_stays_light_and_predict_is_there():
    code = (
        "import sys, ascflow\n"
        "assert 'ascflow.prediction' not in sys.modules and 'numpy' not in sys.modules\n"
        "from ascflow.prediction import predict\n"
        "assert ascflow.predict is predict and 'predict' in dir(ascflow)\n"
    )
    environment = {**os.environ, "PYTHONPATH": str(REPOSITORY / "workflow")}
    subprocess.run([sys.executable, "-c", code], check=True, env=environment, timeout=60)


def command(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PYTHONPATH": str(REPOSITORY / "workflow")}
    return subprocess.run(
        [sys.executable, "-m", "ascflow", *map(str, args)],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_console_command_writes_the_table_or_one_sentence(forest_bundle, tmp_path):
    clips = np.random.default_rng(7).normal(size=(5, *ARRAY_SHAPE)).astype(np.float32)
    np.save(tmp_path / "X.npy", clips)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = command("predict", forest_bundle, tmp_path, "-o", "out.tsv", cwd=elsewhere)
    assert result.returncode == 0, result.stderr
    written = pd.read_csv(elsewhere / "out.tsv", sep="\t")
    expected = predict(clips, forest_bundle)
    assert written["filename"].astype(str).tolist() == expected["filename"].tolist()
    np.testing.assert_allclose(written[CLASSES].to_numpy(), expected[CLASSES].to_numpy(), atol=5e-7)
    to_stdout = command("predict", forest_bundle, tmp_path / "X.npy", cwd=elsewhere)
    assert to_stdout.stdout == (elsewhere / "out.tsv").read_text()

    np.save(tmp_path / "X.npy", np.zeros((2, 3, 4)))
    failed = command("predict", forest_bundle, tmp_path, "-o", "again.tsv", cwd=elsewhere)
    assert failed.returncode == 1 and not (elsewhere / "again.tsv").exists()
    assert re.fullmatch(
        r"ascflow: \S+X\.npy: clips are 3 x 4 \(features x frames\) but \S+ was trained on 12 x 40\.\n",
        failed.stderr,
    )


@pytest.mark.parametrize("runtime", ["litert", "onnx"])
def test_exported_runtime_classifies_as_keras_does(cnn_bundle, tmp_path, runtime):
    """The same recordings through the bundle's int8 or ONNX model: the
    same table layout, probabilities near Keras', a bundle loaded for Keras
    reloaded for the runtime asked."""
    folder = folder_of_recordings(tmp_path / "new")
    expected = predict(folder, cnn_bundle)
    keras_bundle = load_bundle(cnn_bundle)
    found = predict(folder, keras_bundle, threads=1, runtime=runtime)
    assert list(found.columns) == list(expected.columns)
    assert found["filename"].tolist() == expected["filename"].tolist()
    np.testing.assert_allclose(found[CLASSES].to_numpy().sum(axis=1), 1, atol=1e-9)
    # int8 saturates beyond the range its calibration saw: the silence that
    # pads b.flac (0.7 s of a 1-s clip) lies far below the tiny bundle's
    # standard-normal calibration clips, so int8 is held to Keras on the
    # recordings the calibration covers (a workflow's bundle calibrates on
    # its own training clips).
    covered = [0, 1, 2] if runtime == "onnx" else [0, 2]
    np.testing.assert_allclose(
        found[CLASSES].to_numpy()[covered],
        expected[CLASSES].to_numpy()[covered],
        atol=1e-4 if runtime == "onnx" else 0.3,
    )
    assert found["scene_label"].iloc[covered].tolist() == expected["scene_label"].iloc[covered].tolist()
    facts = prediction_facts(
        load_bundle(cnn_bundle, runtime), found, found[CLASSES].to_numpy(), [], str(folder), None
    )
    assert facts["runtime"] == runtime


def test_forest_asked_for_another_runtime_is_one_sentence(forest_bundle):
    clips = np.zeros((2, *ARRAY_SHAPE), dtype=np.float32)
    with pytest.raises(AscflowError, match=r"is a forest, which runs only from its own file .*litert\.$"):
        predict(clips, forest_bundle, runtime="litert")
