"""The console command as a user meets it, run for real on small bundles:
its help in plain text, --version, a successful run that prints the table
alone (no line of TensorFlow's unless --verbose), and every mistake with
the bundle told in one sentence, exit status 1 and no traceback."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import numpy as np
import pytest
import soundfile
from support import REPO as REPOSITORY
from tiny_bundles import ARRAY_SHAPE

#: The console script pip puts beside this Python; `python -m ascflow` where there is none.
SCRIPT = Path(sys.executable).with_name("ascflow")
#: What TensorFlow and absl print: their log lines (I/W/E/F, then the date)
#: and what they talk about.
LIBRARY_LINE = re.compile(r"^[IWEF]\d{4}|tensorflow|onednn|cuda|absl|keras", re.I | re.M)


def console(*args, cwd: Path | None = None, environment: dict | None = None) -> subprocess.CompletedProcess:
    """The command as a user runs it: TF_CPP_MIN_LOG_LEVEL as a shell has
    it (unset; the tests' conftest sets it for their own process)."""
    if environment is None:
        environment = {key: value for key, value in os.environ.items() if key != "TF_CPP_MIN_LOG_LEVEL"}
        environment["PYTHONPATH"] = str(REPOSITORY / "workflow")
    command = [str(SCRIPT)] if SCRIPT.is_file() else [sys.executable, "-m", "ascflow"]
    return subprocess.run(
        [*command, *map(str, args)], cwd=cwd, env=environment, capture_output=True, text=True, timeout=300
    )


def one_sentence_error(result: subprocess.CompletedProcess) -> str:
    """The error a failed run printed: exit status 1, nothing on stdout, one
    line `ascflow: ...` on stderr and no traceback; the line returned."""
    assert result.returncode == 1, result.stderr
    assert result.stdout == "" and "Traceback" not in result.stderr
    assert result.stderr.endswith("\n") and result.stderr.count("\n") == 1, result.stderr
    return result.stderr.rstrip("\n")


def recordings(folder: Path, n: int = 2) -> Path:
    """``n`` one-second mono recordings at 8 kHz (the tiny audio settings)."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(3)
    for index in range(n):
        soundfile.write(folder / f"r{index}.wav", rng.uniform(-0.3, 0.3, 8000).astype(np.float32), 8000)
    return folder


# ---- help and version -----------------------------------------------------------


@pytest.mark.parametrize("args", [["--help"], ["predict", "--help"]], ids=["ascflow", "predict"])
def test_help_is_plain_text(args):
    result = console(*args)
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout.startswith("usage: ascflow ")
    for markup in ("``", ":func:", ":mod:", ":class:", ":data:"):
        assert markup not in result.stdout
    assert "example: ascflow predict results/export/cnn " in result.stdout
    if args[0] == "predict":
        assert "--verbose" in result.stdout and "BUNDLE" in result.stdout


def test_version_is_the_installed_packages():
    result = console("--version")
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout == f"ascflow {metadata.version('ascflow')}\n"


# ---- a run that succeeds ---------------------------------------------------------


def test_successful_run_prints_the_table_alone_and_verbose_lets_tensorflow_through(cnn_bundle, tmp_path):
    """The CNN on recordings, as a user runs it: without --verbose, not one
    line of TensorFlow's (it printed seven, one an E0000 line); with it, the
    same table."""
    folder = recordings(tmp_path / "new")
    quiet = console("predict", cnn_bundle, folder)
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stderr == "" and not LIBRARY_LINE.search(quiet.stdout)
    assert quiet.stdout.splitlines()[0].split("\t")[:2] == ["filename", "scene_label"]
    assert [line.split("\t")[0] for line in quiet.stdout.splitlines()[1:]] == ["r0.wav", "r1.wav"]

    verbose = console("predict", "--verbose", cnn_bundle, folder)
    assert verbose.returncode == 0, verbose.stderr
    assert verbose.stdout == quiet.stdout


@pytest.mark.parametrize("runtime", ["litert", "onnx"])
def test_exported_runtime_prints_the_table_alone(cnn_bundle, tmp_path, runtime):
    """--runtime litert and onnx, from another folder: the table alone
    (LiteRT's delegate line held back), near the Keras model's."""
    folder = recordings(tmp_path / "new")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = console("predict", "--runtime", runtime, "--threads", "1", cnn_bundle, folder, cwd=elsewhere)
    assert result.returncode == 0, result.stderr
    assert result.stderr == "" and not LIBRARY_LINE.search(result.stdout)
    from ascflow.prediction import predict

    expected = predict(folder, cnn_bundle)  # Keras, in this process
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    assert rows[0] == list(expected.columns) and [row[0] for row in rows[1:]] == ["r0.wav", "r1.wav"]
    found = np.array([row[2:] for row in rows[1:]], dtype=float)
    np.testing.assert_allclose(found, expected.iloc[:, 2:].to_numpy(), atol=0.3)


def test_unknown_runtime_is_argparse_s_usage_error(cnn_bundle, tmp_path):
    result = console("predict", "--runtime", "tflite", cnn_bundle, tmp_path)
    assert result.returncode == 2 and "invalid choice: 'tflite'" in result.stderr


def test_forest_on_arrays_prints_the_table_alone(forest_bundle, tmp_path):
    np.save(tmp_path / "X.npy", np.zeros((3, *ARRAY_SHAPE), dtype=np.float32))
    result = console("predict", forest_bundle, tmp_path / "X.npy")
    assert result.returncode == 0 and result.stderr == ""
    assert len(result.stdout.splitlines()) == 4


def test_what_tensorflow_prints_while_it_fails_to_load_is_shown(cnn_bundle, tmp_path):
    """The lines held back while TensorFlow loads come out when loading
    fails, with Python's traceback: a broken installation is not silent."""
    fake = tmp_path / "fake"
    fake.mkdir()
    (fake / "keras.py").write_text(
        "import os\n"
        "os.write(2, b'native line of a broken library\\n')\n"
        "raise ImportError('keras is broken')\n"
    )
    environment = {key: value for key, value in os.environ.items() if key != "TF_CPP_MIN_LOG_LEVEL"}
    environment["PYTHONPATH"] = os.pathsep.join([str(fake), str(REPOSITORY / "workflow")])
    result = subprocess.run(
        [sys.executable, "-m", "ascflow", "predict", str(cnn_bundle), str(recordings(tmp_path / "new"))],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "native line of a broken library\n" in result.stderr
    assert "ImportError: keras is broken" in result.stderr


# ---- mistakes with the bundle, and with what it is given ------------------------


def test_a_file_given_as_bundle_is_called_a_file(forest_bundle, tmp_path):
    inside = forest_bundle / "model.skops"
    assert one_sentence_error(console("predict", inside, tmp_path)) == (
        f"ascflow: {inside}: is a file, but BUNDLE must be a bundle folder (such as results/export/cnn); "
        f"give the folder that holds it, {forest_bundle}."
    )
    alone = tmp_path / "X.npy"
    np.save(alone, np.zeros((1, *ARRAY_SHAPE)))
    assert one_sentence_error(console("predict", alone, tmp_path)) == (
        f"ascflow: {alone}: is a file, but BUNDLE must be a bundle folder (such as results/export/cnn)."
    )


def test_a_missing_bundle_says_where_bundles_come_from(forest_bundle, tmp_path):
    missing = tmp_path / "results/export/cnn"
    assert one_sentence_error(console("predict", missing, tmp_path)) == (
        f"ascflow: {missing}: no such bundle folder; bundles are made by the workflow, whose run "
        "(`snakemake --cores 8` in its folder) exports every model it trains to results/export/<model>."
    )
    # A mistyped name: the bundles beside it are named; given the folder of
    # bundles itself, one of them.
    export = tmp_path / "export"
    shutil.copytree(forest_bundle, export / "rf_5")
    assert one_sentence_error(console("predict", "export/rf_50", tmp_path, cwd=tmp_path)) == (
        "ascflow: export/rf_50: no such bundle folder; the bundles in export are rf_5 (the workflow's run "
        "exports one for every model it trains)."
    )
    assert one_sentence_error(console("predict", "rf_50", tmp_path, cwd=export)) == (
        "ascflow: rf_50: no such bundle folder; the bundles in this folder are rf_5 (the workflow's run "
        "exports one for every model it trains)."
    )
    assert one_sentence_error(console("predict", "export", tmp_path, cwd=tmp_path)) == (
        "ascflow: export: is a folder of bundles, not a bundle; BUNDLE must be one of them (rf_5), "
        "such as export/rf_5."
    )


def test_a_bundle_trained_on_arrays_says_it_cannot_classify_recordings(forest_bundle, tmp_path):
    folder = recordings(tmp_path / "new")
    arrays_only = (
        f"{forest_bundle} was trained on arrays, so it classifies .npy clips of shape (n, 12, 40) "
        "(clips x features x frames), not recordings."
    )
    assert one_sentence_error(console("predict", forest_bundle, folder / "r0.wav")) == (
        f"ascflow: {folder / 'r0.wav'}: is a recording, and {arrays_only}"
    )
    assert one_sentence_error(console("predict", forest_bundle, folder)) == (
        f"ascflow: {folder}: holds recordings but no X.npy, and {arrays_only}"
    )


def test_a_bundle_trained_on_recordings_given_a_folder_of_an_array_asks_for_the_file(cnn_bundle, tmp_path):
    np.save(tmp_path / "X.npy", np.zeros((2, 12, 51), dtype=np.float32))
    assert one_sentence_error(console("predict", cnn_bundle, tmp_path)) == (
        f"ascflow: {tmp_path}: holds X.npy but no recordings (.wav, .flac, .ogg, .aif, .aiff), and "
        f"{cnn_bundle} was trained on recordings, so give it the .npy file itself to classify its clips."
    )
