"""The ``ascflow`` console command: use a trained model after the study.

``ascflow predict BUNDLE FILE_OR_FOLDER... [-o OUT.tsv] [--runtime keras|litert|onnx]``
classifies recordings (or arrays of clips) with a model bundle (``results/export/<model>``),
with its Keras model or a network's exported int8 LiteRT or ONNX model,
and writes the table the workflow's ``predict`` target writes, from any
folder, without Snakemake or this repository. A problem with an input is
one sentence on stderr (``ascflow: ...``) and exit status 1, and no table is
written. A run that succeeds prints the table alone: TensorFlow's log lines
(its C++ libraries' and absl's) only with ``--verbose``.

The help is argparse's, written here as plain text (this docstring is for
developers and is not shown).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ascflow.errors import AscflowError
from ascflow.models.runtimes import RUNTIMES

DESCRIPTION = (
    "Use a trained model after the study: classify new recordings, or arrays of clips, with a model "
    "bundle that the workflow exported (results/export/<model>)."
)
EXAMPLE = "example: ascflow predict results/export/cnn /data/field-day/ -o field-day.tsv"
#: TensorFlow's C++ log level without --verbose: fatal errors only. Its
#: INFO, WARNING and ERROR lines on a run that succeeds are noise to a user
#: (an ERROR line appears on every CNN run); a real failure reaches Python
#: as an exception and is told as such.
QUIET_LOG_LEVEL = "3"
#: The Python loggers of TensorFlow and Keras.
LIBRARY_LOGGERS = ("tensorflow", "absl", "keras")


def package_version() -> str:
    from importlib import metadata

    try:
        return metadata.version("ascflow")
    except metadata.PackageNotFoundError:
        return "(version unknown: the package is not installed)"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ascflow", description=DESCRIPTION, epilog=EXAMPLE)
    parser.add_argument("--version", action="version", version=f"%(prog)s {package_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    predict = commands.add_parser(
        "predict",
        help="classify recordings or clips with a model bundle",
        description="Classify recordings or clips with a model bundle and write the table: file name, "
        "scene label and one probability per class, tab-separated. A problem with an input is one "
        "sentence on stderr, exit status 1, and no table.",
        epilog=EXAMPLE,
    )
    predict.add_argument(
        "bundle",
        metavar="BUNDLE",
        help="a model bundle's folder (results/export/<model>; the workflow's run makes one per model)",
    )
    predict.add_argument(
        "inputs",
        metavar="FILE_OR_FOLDER",
        nargs="+",
        help="recordings, folders of recordings (searched recursively; names relative to the folder), "
        "or .npy arrays of clips (clips x features x frames) for a model trained on arrays",
    )
    predict.add_argument("-o", "--output", metavar="OUT.tsv", help="write the table here (default: stdout)")
    predict.add_argument(
        "--threads",
        type=int,
        default=len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        help="threads for the model (default: every CPU this process may use)",
    )
    predict.add_argument(
        "--runtime",
        choices=RUNTIMES,
        default="keras",
        help="which of a network bundle's models predicts: keras (the trained model), litert (its int8 "
        "LiteRT model) or onnx (its ONNX model, in ONNX Runtime); a forest runs only in keras "
        "(default: keras)",
    )
    predict.add_argument(
        "--verbose",
        action="store_true",
        help="let TensorFlow's log lines through (hidden otherwise; for a problem with TensorFlow itself)",
    )
    return parser


def _bundles_in(folder: Path) -> list[str]:
    """The names of the bundles (folders with a manifest) directly in ``folder``."""
    from ascflow.models.bundle import MANIFEST

    if not folder.is_dir():
        return []
    return sorted(child.name for child in folder.iterdir() if (child / MANIFEST).is_file())


def check_bundle_argument(argument: str) -> None:
    """BUNDLE must name a folder; one sentence otherwise, saying where
    bundles are (beside a mistyped name, or in a folder of bundles) or where
    they come from."""
    from ascflow.models.bundle import MADE_BY, MANIFEST

    path = Path(argument)
    if path.is_file():
        inside = (
            f"; give the folder that holds it, {path.parent}" if (path.parent / MANIFEST).is_file() else ""
        )
        raise AscflowError(
            f"{path}: is a file, but BUNDLE must be a bundle folder (such as results/export/cnn){inside}."
        )
    if not path.exists():
        beside = _bundles_in(path.parent)
        there = "this folder" if str(path.parent) == "." else path.parent
        where = (
            f"the bundles in {there} are {', '.join(beside)} (the workflow's run exports one for every model "
            "it trains)"
            if beside
            else MADE_BY
        )
        raise AscflowError(f"{path}: no such bundle folder; {where}.")
    within = _bundles_in(path) if not (path / MANIFEST).exists() else []
    if within:
        raise AscflowError(
            f"{path}: is a folder of bundles, not a bundle; BUNDLE must be one of them "
            f"({', '.join(within)}), such as {path / within[0]}."
        )


@contextmanager
def _held_back_stderr() -> Iterator[None]:
    """Whatever is written to file descriptor 2 meanwhile, kept in a
    temporary file and written out only if the block raises.

    TensorFlow's C++ libraries log as they load (oneDNN, the CPU's
    instructions, CUDA's factories), before they read TF_CPP_MIN_LOG_LEVEL,
    and straight to the descriptor, past sys.stderr."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no descriptor 2 to hold back
        yield
        return
    with tempfile.TemporaryFile() as held:
        os.dup2(held.fileno(), 2)
        try:
            yield
        except BaseException:
            _restore_stderr(saved)
            held.seek(0)
            os.write(2, held.read())
            raise
        _restore_stderr(saved)


def _restore_stderr(saved: int) -> None:
    sys.stderr.flush()
    os.dup2(saved, 2)
    os.close(saved)


def load_tensorflow(verbose: bool) -> None:
    """Import TensorFlow and Keras quietly unless ``verbose`` (then as the
    environment says): the C++ log level set before the import, the lines
    of the import itself held back, the Python loggers at errors only."""
    if verbose:
        return
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = QUIET_LOG_LEVEL
    with _held_back_stderr():
        import keras  # noqa: F401
        import tensorflow  # noqa: F401
    for name in LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)


def predict_command(
    bundle_path: str,
    inputs: list[str],
    output: str | None,
    threads: int,
    verbose: bool = False,
    runtime: str = "keras",
) -> None:
    from ascflow.models.bundle import needs_tensorflow, read_manifest
    from ascflow.prediction import as_bundle, predict, write_prediction_table

    threads = max(1, threads)
    check_bundle_argument(bundle_path)
    if needs_tensorflow(read_manifest(bundle_path), runtime):  # before TensorFlow runs anything
        load_tensorflow(verbose)
        from ascflow.models.network import configure_tensorflow

        configure_tensorflow(threads, seed=0)
    if verbose or runtime == "keras":
        bundle = as_bundle(bundle_path, runtime, threads)
    else:  # LiteRT logs its delegate's creation on the descriptor
        with _held_back_stderr():
            bundle = as_bundle(bundle_path, runtime, threads)
    table = predict(inputs, bundle, threads=threads, runtime=runtime)
    if output:
        write_prediction_table(table, output)
    else:
        from ascflow.prediction import PROBABILITY_FORMAT

        table.to_csv(sys.stdout, sep="\t", index=False, float_format=PROBABILITY_FORMAT)


def main(argv: list[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    try:
        predict_command(
            arguments.bundle,
            arguments.inputs,
            arguments.output,
            arguments.threads,
            arguments.verbose,
            arguments.runtime,
        )
    except AscflowError as error:
        print(f"ascflow: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
