"""What classifying new recordings costs: the console command ``ascflow
predict`` (recordings to table) against a plain loop of the same load,
extraction and ``model.predict`` calls.

Run from the repository root::

    .venv/bin/python -m perf.predict                   # 200 ten-second recordings, one thread
    .venv/bin/python -m perf.predict --files 40 --threads 2
    .venv/bin/python -m perf.predict --plain BUNDLE FOLDER --threads 1   # the plain loop alone

Both sides classify the same generated WAV files (10 s, 44.1 kHz, mono, as
:mod:`perf.audio` writes them) with the same bundle: the shipped config's CNN
on the config's extraction settings (40 x 501 per clip), its weights as built
(prediction costs the same trained or not). Both times include starting
Python and importing TensorFlow and librosa, both write a table, and both
run on ``--threads`` threads (TensorFlow's pools; extraction is one thread
either way):

* ``ascflow predict BUNDLE FOLDER -o table.tsv --threads N``: the bundle's
  digests checked, the model loaded in safe mode, the folder searched
  recursively, every recording read, mixed down, resampled if needed, padded
  or cut and turned into log mel-band energies with the bundle's settings,
  standardized, classified; ``predict_files_per_s_per_core = files / (wall s
  x N)``.
* the plain loop (:func:`plain_predict`): the same Keras file loaded
  directly, :func:`perf.audio.plain_loop` for the features, the statistics
  applied by hand, ``model.predict``, a TSV by pandas:
  ``predict_plain_files_per_s`` (files over its wall seconds, from its
  process's start as for the command).
* ``predict_throughput_ratio``: the command's files per second over the
  plain loop's, on the same threads (1: the bundle's checks and the
  command cost nothing).
* the same command with ``--runtime litert`` (the bundle's int8 LiteRT
  model, XNNPACK) and ``--runtime onnx`` (its ONNX model in ONNX Runtime):
  ``predict_int8_files_per_s_per_core``, ``predict_onnx_files_per_s_per_core``,
  and ``predict_int8_ratio`` / ``predict_onnx_ratio``, each over the Keras
  command's files per second (start-up and extraction included, as a user
  waits). The models alone (:func:`model_throughput`, the same files'
  features, after loading, on ``--threads`` threads):
  ``predict_model_{keras,int8,onnx}_clips_per_s_per_core`` and
  ``predict_model_int8_ratio`` (int8 over Keras).

:func:`measure_predict` returns the figures (:data:`PREDICT_KEYS`) for the
benchmark's ``bench:`` line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from perf.audio import extraction_settings, plain_loop, write_recordings
from perf.line import format_line, parse_line, print_table
from perf.measure import run_timed
from perf.workflow import CONFIG, REPOSITORY

PREDICT_KEYS = (
    "predict_files",
    "predict_files_per_s_per_core",
    "predict_plain_files_per_s",
    "predict_throughput_ratio",
    "predict_int8_files_per_s_per_core",
    "predict_onnx_files_per_s_per_core",
    "predict_int8_ratio",
    "predict_onnx_ratio",
    "predict_model_keras_clips_per_s_per_core",
    "predict_model_int8_clips_per_s_per_core",
    "predict_model_onnx_clips_per_s_per_core",
    "predict_model_int8_ratio",
)
#: Standardized clips that calibrate the benchmark bundle's int8 model.
REPRESENTATIVE_CLIPS = 32
#: Standardization of the benchmark's bundle: typical of log-mel energies
#: (the values change nothing in the cost).
BAND_MEAN, BAND_STD = -6.0, 2.5


def write_cnn_bundle(folder: Path, n_classes: int = 5) -> Path:
    """A bundle of the shipped config's CNN for its extraction settings."""
    from ascflow.configuration import load_config
    from ascflow.data.audio import audio_settings
    from ascflow.models.bundle import ModelInputs, Provenance, write_bundle
    from ascflow.models.keras_build import build_model
    from ascflow.models.settings import architecture

    settings = extraction_settings()
    shape = audio_settings(settings).shape
    cnn = architecture("cnn", load_config([CONFIG])["cnn"])
    folder.mkdir(parents=True, exist_ok=True)
    build_model(cnn.spec((*shape, 1), n_classes)).save(folder / "cnn.keras")
    import numpy as np

    representative = np.random.default_rng(0).standard_normal((REPRESENTATIVE_CLIPS, *shape, 1))
    write_bundle(
        folder / "cnn",
        model_name="cnn",
        family="cnn",
        trained_model_path=folder / "cnn.keras",
        inputs=ModelInputs(
            class_names=[f"scene{index}" for index in range(n_classes)],
            clip_shape=shape,
            standardize="per_band",
            band_mean=[BAND_MEAN] * shape[0],
            band_std=[BAND_STD] * shape[0],
            audio=settings,
        ),
        provenance=Provenance(data_fingerprint="benchmark", settings_digest="benchmark"),
        representative=representative.astype(np.float32),
    )
    return folder / "cnn"


def plain_predict(bundle: Path, folder: Path, threads: int, table_path: Path) -> int:
    """The plain loop: what a script without ascflow would do with the same
    model file and settings. Returns the files classified."""
    import keras
    import numpy as np
    import pandas as pd
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(threads)
    manifest = json.loads((bundle / "manifest.json").read_text())
    model = keras.models.load_model(bundle / "model.keras", compile=False)
    paths = sorted(folder.rglob("*.wav"))
    features = plain_loop(paths, manifest["audio"]["settings"])
    mean = np.asarray(manifest["features"]["band_mean"], dtype=np.float32)
    std = np.asarray(manifest["features"]["band_std"], dtype=np.float32)
    standardized = (features - mean[None, :, None]) / std[None, :, None]
    probabilities = model.predict(standardized[..., None], batch_size=64, verbose=0)
    table = pd.DataFrame(probabilities, columns=manifest["class_names"])
    table.insert(0, "scene_label", np.asarray(manifest["class_names"])[probabilities.argmax(axis=1)])
    table.insert(0, "filename", [path.relative_to(folder).as_posix() for path in paths])
    table.to_csv(table_path, sep="\t", index=False, float_format="%.6f")
    return len(paths)


def model_throughput(bundle: Path, folder: Path, threads: int) -> dict[str, float]:
    """Clips per second of each of the bundle's models alone, on the
    features of the recordings in ``folder`` (extracted once, then each
    runtime loaded and warmed up before its clock starts)."""
    from ascflow.data.audio import extract_features
    from ascflow.models.bundle import load_bundle
    from ascflow.models.network import configure_tensorflow

    configure_tensorflow(threads, seed=0, gpu=False)
    paths = sorted(folder.rglob("*.wav"))
    figures = {}
    clips = None
    for runtime in ("keras", "litert", "onnx"):
        loaded = load_bundle(bundle, runtime, threads)
        if clips is None:
            clips = extract_features(paths, loaded.audio)[0]
        loaded.probabilities(clips[:2])  # warm-up: graphs traced, tensors allocated
        started = time.perf_counter()
        loaded.probabilities(clips)
        figures[runtime] = len(clips) / (time.perf_counter() - started)
    return figures


def labels_of(path: Path) -> list[str]:
    import pandas as pd

    return pd.read_csv(path, sep="\t")["scene_label"].tolist()


def measure_predict(work_root: Path, n_files: int, threads: int, environment: dict | None = None) -> dict:
    """Generate the recordings and the bundle, run the console command and
    the plain loop on ``threads``; return the :data:`PREDICT_KEYS` figures."""
    folder = work_root / "recordings"
    paths = write_recordings(folder, n_files)
    bundle = write_cnn_bundle(work_root / "bundle")
    environment = {
        **(environment or os.environ),
        "PYTHONPATH": os.pathsep.join([str(REPOSITORY / "workflow"), str(REPOSITORY)]),
        "TF_CPP_MIN_LOG_LEVEL": "2",
    }
    command_table, plain_table = work_root / "command.tsv", work_root / "plain.tsv"

    def console_command(table: Path, *options: str):
        """``ascflow predict`` on the recordings, timed."""
        arguments = ["predict", str(bundle), str(folder), "-o", str(table), "--threads", str(threads)]
        return run_timed([sys.executable, "-m", "ascflow", *arguments, *options], work_root, environment)

    command = console_command(command_table)
    runtimes = {}
    for runtime in ("litert", "onnx"):
        table = work_root / f"command-{runtime}.tsv"
        timed = console_command(table, "--runtime", runtime)
        runtimes[runtime] = (timed, len(paths) / timed.wall_s, table)
    models = run_timed(
        [
            sys.executable,
            "-m",
            "perf.predict",
            "--models",
            str(bundle),
            str(folder),
            "--threads",
            str(threads),
        ],
        REPOSITORY,
        environment,
    )
    model_rates = parse_line(models.output, "predict_models")
    plain = run_timed(
        [
            sys.executable,
            "-m",
            "perf.predict",
            "--plain",
            str(bundle),
            str(folder),
            "--threads",
            str(threads),
        ],
        REPOSITORY,
        {**environment, "PLAIN_TABLE": str(plain_table)},
    )
    # Both from the process's start to its table, as a user waits for it.
    plain_files = int(parse_line(plain.output, "predict_plain")["files"])
    plain_files_per_s = plain_files / plain.wall_s
    files_per_s = len(paths) / command.wall_s
    agree = sum(a == b for a, b in zip(labels_of(command_table), labels_of(plain_table), strict=True))
    figures = {
        "predict_files": len(paths),
        "predict_files_per_s_per_core": files_per_s / threads,
        "predict_plain_files_per_s": plain_files_per_s,
        "predict_throughput_ratio": files_per_s / plain_files_per_s,
        "predict_int8_files_per_s_per_core": runtimes["litert"][1] / threads,
        "predict_onnx_files_per_s_per_core": runtimes["onnx"][1] / threads,
        "predict_int8_ratio": runtimes["litert"][1] / files_per_s,
        "predict_onnx_ratio": runtimes["onnx"][1] / files_per_s,
        "predict_model_keras_clips_per_s_per_core": float(model_rates["keras"]) / threads,
        "predict_model_int8_clips_per_s_per_core": float(model_rates["litert"]) / threads,
        "predict_model_onnx_clips_per_s_per_core": float(model_rates["onnx"]) / threads,
        "predict_model_int8_ratio": float(model_rates["litert"]) / float(model_rates["keras"]),
    }
    keras_labels = labels_of(command_table)
    same = {
        runtime: sum(a == b for a, b in zip(labels_of(table), keras_labels, strict=True))
        for runtime, (_, _, table) in runtimes.items()
    }
    print_table(
        f"Prediction: {len(paths)} recordings of 10 s at 44.1 kHz, the config's CNN, {threads} thread(s); "
        f"{agree} of {len(paths)} labels the same both ways",
        ["part", "wall s", "CPU s", "files/s", "files/s per core"],
        [
            [
                "ascflow predict (the console command)",
                command.wall_s,
                command.cpu_s,
                files_per_s,
                files_per_s / threads,
            ],
            ["plain loop", plain.wall_s, plain.cpu_s, plain_files_per_s, plain_files_per_s / threads],
            *(
                [
                    f"ascflow predict --runtime {runtime} ({same[runtime]} labels as Keras)",
                    timed.wall_s,
                    timed.cpu_s,
                    rate,
                    rate / threads,
                ]
                for runtime, (timed, rate, _) in runtimes.items()
            ),
        ],
    )
    print_table(
        f"The models alone on the same {len(paths)} clips, {threads} thread(s)",
        ["runtime", "clips/s", "clips/s per core", "over Keras"],
        [
            [
                name,
                float(model_rates[name]),
                float(model_rates[name]) / threads,
                float(model_rates[name]) / float(model_rates["keras"]),
            ]
            for name in ("keras", "litert", "onnx")
        ],
    )
    return figures


def run_plain(bundle: Path, folder: Path, threads: int) -> None:
    """The plain loop alone; prints the files it classified (and its own
    seconds, from after Python's start-up)."""
    started = time.perf_counter()
    table = Path(os.environ.get("PLAIN_TABLE") or Path(tempfile.mkdtemp()) / "plain.tsv")
    files = plain_predict(bundle, folder, threads, table)
    seconds = time.perf_counter() - started
    print(format_line("predict_plain", {"files": files, "seconds": seconds, "files_per_s": files / seconds}))


def main(argv: list[str] | None = None) -> dict | None:
    started = time.perf_counter()
    parser = argparse.ArgumentParser(prog="python -m perf.predict", description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=200, help="recordings to generate (default 200)")
    parser.add_argument("--threads", type=int, default=1, help="threads of both sides (default 1)")
    parser.add_argument(
        "--plain", nargs=2, metavar=("BUNDLE", "FOLDER"), type=Path, help="only the plain loop"
    )
    parser.add_argument(
        "--models", nargs=2, metavar=("BUNDLE", "FOLDER"), type=Path, help="only the models' throughput"
    )
    parser.add_argument("--keep", metavar="DIR", help="work in DIR and keep it")
    args = parser.parse_args(argv)
    if args.plain:
        run_plain(*args.plain, args.threads)
        return None
    if args.models:
        print(format_line("predict_models", model_throughput(*args.models, args.threads)))
        return None
    work_root = Path(args.keep or tempfile.mkdtemp(prefix="ascflow-predict-")).resolve()
    figures = measure_predict(work_root, args.files, args.threads)
    if not args.keep:
        import shutil

        shutil.rmtree(work_root, ignore_errors=True)
    print(f"\n({time.perf_counter() - started:.0f} s in all)")
    print(format_line("bench", figures))
    return figures


if __name__ == "__main__":
    main()
