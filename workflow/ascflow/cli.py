"""The ``ascflow`` console command: use a trained model after the study.

``ascflow predict BUNDLE FILE_OR_FOLDER... [-o OUT.tsv]`` classifies
recordings (or arrays of clips) with a model bundle (``results/export/<model>``)
and writes the table the workflow's ``predict`` target writes, from any
folder, without Snakemake or this repository. A problem with an input is
one sentence on stderr (``ascflow: ...``) and exit status 1, and no table is
written.
"""

from __future__ import annotations

import argparse
import os
import sys

from ascflow.errors import AscflowError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ascflow", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    predict = commands.add_parser(
        "predict",
        help="classify recordings or clips with a model bundle",
        description="Classify recordings or clips with a model bundle and write the table: file name, "
        "scene label and one probability per class, tab-separated.",
    )
    predict.add_argument("bundle", metavar="BUNDLE", help="a model bundle's folder (results/export/<model>)")
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
    return parser


def predict_command(bundle_path: str, inputs: list[str], output: str | None, threads: int) -> None:
    from ascflow.models.bundle import read_manifest
    from ascflow.prediction import as_bundle, predict, write_prediction_table

    threads = max(1, threads)
    if read_manifest(bundle_path)["family"] != "rf":  # before TensorFlow runs anything
        from ascflow.models.network import configure_tensorflow

        configure_tensorflow(threads, seed=0)
    table = predict(inputs, as_bundle(bundle_path), threads=threads)
    if output:
        write_prediction_table(table, output)
    else:
        from ascflow.prediction import PROBABILITY_FORMAT

        table.to_csv(sys.stdout, sep="\t", index=False, float_format=PROBABILITY_FORMAT)


def main(argv: list[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    try:
        predict_command(arguments.bundle, arguments.inputs, arguments.output, arguments.threads)
    except AscflowError as error:
        print(f"ascflow: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
