"""Stage count: every network's parameters in closed form, without TensorFlow.

Writes ``results/params/params.json`` (facts: per-layer counts, shapes,
multiply-adds, the image CNN's first-convolution multiplications, the
trained networks' complexity against the config's limits) and one
TSV table per network. Keras's own counts come from elsewhere: each network
training job checks the model it trains against the same closed form and
records Keras's per-layer counts (``layer_params``), and the test suite
checks the reference's image networks, which no run trains
(tests/unit/models/test_keras_check.py). The sentences about these figures are the report's
(:mod:`ascflow.report.sections.parameter_counts`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from ascflow.files import read_json, write_json, write_table
from ascflow.models.counting import (
    TABLE_COLUMNS,
    clip_seconds,
    closed_form_table,
    complexity,
    counted_specs,
    forward_flops,
    image_cnn_conv1_multiplications,
    multiply_accumulates,
    total_params,
)
from ascflow.models.naming import NETWORK_FAMILIES
from ascflow.models.settings import architecture
from ascflow.stages.runtime import Runtime

log = logging.getLogger("ascflow")


def parameter_report(
    n_features: int,
    n_frames: int,
    n_classes: int,
    cnn: dict,
    lstm: dict,
    complexity_limits: dict | None = None,
    audio_clip_s: float | None = None,
) -> dict:
    """Everything params.json holds. ``cnn`` and ``lstm``: the architecture
    keys of those config sections. With ``complexity_limits`` (the config's)
    also the complexity budget of the two networks the run trains, per clip
    of ``audio_clip_s`` seconds (recordings) or of ``n_frames`` frames
    (arrays; :func:`ascflow.models.counting.clip_seconds`)."""
    specs = counted_specs(
        n_features, n_frames, n_classes, architecture("cnn", cnn), architecture("lstm", lstm)
    )
    networks = {}
    for name, spec in specs.items():
        table = closed_form_table(spec)
        networks[name] = {
            "description": spec.description,
            "input_shape": list(spec.input_shape),
            "layers": table,
            "total_closed_form": sum(row["params_closed_form"] for row in table),
            "forward_flops": forward_flops(spec),
        }
    report = {
        "data": {"n_features": n_features, "n_frames": n_frames, "n_classes": n_classes},
        "networks": networks,
        "image_cnn_conv1_multiplications": image_cnn_conv1_multiplications(),
    }
    if complexity_limits is not None:
        seconds, basis = clip_seconds(n_frames, audio_clip_s)
        report["complexity"] = {
            "limits": dict(complexity_limits),
            "clip_seconds": seconds,
            "clip_seconds_from": basis,
            "networks": {
                family: complexity(
                    total_params(specs[family]),
                    multiply_accumulates(specs[family]),
                    seconds,
                    complexity_limits,
                )
                for family in NETWORK_FAMILIES
            },
        }
    return report


def write_layer_table(table: list[dict], path: str) -> None:
    """One network's table as TSV, shapes written like ``36x497x32``."""
    rows = [{**row, "output_shape": "x".join(str(size) for size in row["output_shape"])} for row in table]
    write_table(path, rows, TABLE_COLUMNS)


@dataclass(frozen=True)
class CountInputs:
    summary: str  # the data's: the CNN's and LSTM's input sizes and classes


@dataclass(frozen=True)
class CountOutputs:
    counts: str  # params.json
    tables: dict[str, str] = field(default_factory=dict, metadata={"rest": True})  # a TSV per network


@dataclass(frozen=True)
class Architectures:
    cnn: dict  # the architecture keys of the config's cnn section
    lstm: dict
    complexity_limits: dict  # the budget each model's size and cost is held against


@dataclass(frozen=True)
class CountParameters:
    inputs: CountInputs
    outputs: CountOutputs
    settings: Architectures
    runtime: Runtime = field(default_factory=Runtime)


def count_parameters(job: CountParameters) -> dict:
    """The clip length of recordings is the one their extraction recorded."""
    summary = read_json(job.inputs.summary)
    audio = summary.get("audio") if summary.get("source") == "audio" else None
    report = parameter_report(
        summary["n_features"],
        summary["n_frames"],
        summary["n_classes"],
        job.settings.cnn,
        job.settings.lstm,
        job.settings.complexity_limits,
        audio["settings"]["clip_s"] if audio else None,
    )
    for network, counts in report["networks"].items():
        write_layer_table(counts["layers"], job.outputs.tables[network])
        log.info("%s: %d parameters", network, counts["total_closed_form"])
    write_json(job.outputs.counts, report)
    return report
