"""What the report concludes: interval comparisons, deviations, warnings.

Pure functions of the facts the workflow recorded (metrics, data summary,
parameter counts), so each sentence the report states can be tested without
rendering anything. This is the one place that turns those facts into
sentences.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import combinations

from ascflow.models.naming import NETWORK_FAMILIES
from ascflow.report import reference


@dataclass(frozen=True)
class Interval:
    label: str
    accuracy: float
    low: float
    high: float


@dataclass(frozen=True)
class Setting:
    """One training choice, as the reference made it and as this run did."""

    name: str
    reference: str
    used: str
    differs: bool | None  # None: cannot be told from the run (user data)
    why: str = ""


def model_intervals(runs: list[dict]) -> list[Interval]:
    """One interval per model; with several seeds, per base model the mean
    accuracy and the envelope of its runs' intervals (wider, so the
    comparison stays conservative)."""
    by_base: dict[str, list[dict]] = {}
    for run in runs:
        by_base.setdefault(run["base_model"], []).append(run)
    if all(len(group) == 1 for group in by_base.values()):
        return [Interval(run["model"], run["accuracy"], run["ci95_low"], run["ci95_high"]) for run in runs]
    return [
        Interval(
            base,
            sum(run["accuracy"] for run in group) / len(group),
            min(run["ci95_low"] for run in group),
            max(run["ci95_high"] for run in group),
        )
        for base, group in by_base.items()
    ]


def separated_pairs(intervals: list[Interval]) -> list[tuple[Interval, Interval]]:
    """(higher, lower) pairs whose intervals do not overlap."""
    pairs = []
    for first, second in combinations(intervals, 2):
        higher, lower = (first, second) if first.accuracy >= second.accuracy else (second, first)
        if lower.high < higher.low:
            pairs.append((higher, lower))
    return sorted(pairs, key=lambda pair: (-pair[0].accuracy, -pair[1].accuracy))


def interval_comparison(runs: list[dict]) -> str:
    """A sentence on which accuracy differences exceed the 95 % intervals."""
    intervals = model_intervals(runs)
    if len(intervals) < 2:
        return "Only one model was trained: there is nothing to compare."
    seeded = len(intervals) < len(runs)
    basis = (
        "the envelope of each model's per-seed 95 % Wilson intervals"
        if seeded
        else "the 95 % Wilson intervals of the test accuracies"
    )
    caveat = (
        f"A rough check on {basis}: overlapping intervals do not show that two models are equal, "
        "and non-overlap is a conservative criterion; all models are scored on the same test clips, "
        "so a paired test (McNemar's) would be sharper."
    )
    separated = separated_pairs(intervals)
    if not separated:
        return f"All intervals overlap: no difference between the models is clear at this test size. {caveat}"
    described = "; ".join(f"{higher.label} > {lower.label}" for higher, lower in separated)
    n_pairs = len(intervals) * (len(intervals) - 1) // 2
    rest = n_pairs - len(separated)
    remainder = (
        f" The other {rest} of the {n_pairs} differences lie within overlapping intervals."
        if rest
        else " No two intervals overlap."
    )
    return f"Differences larger than the intervals (no overlap): {described}.{remainder} {caveat}"


def accuracy_resolution(runs: list[dict]) -> str:
    """How fine the accuracy is at this test size, and how wide the intervals."""
    n_test = runs[0]["n_test"]
    widest = max(run["ci95_high"] - run["ci95_low"] for run in runs)
    return (
        f"With {n_test:,} test clips one clip is {1 / n_test:.4f} of accuracy, "
        f"and the widest 95 % interval spans {widest:.3f} (about ±{widest / 2:.3f})."
    )


def _runs_of(runs: list[dict], families: tuple[str, ...]) -> list[dict]:
    return [run for run in runs if run["family"] in families]


def _used(runs: list[dict], value) -> str:
    """The distinct values of ``value(run)`` over the runs, as text."""
    return ", ".join(sorted({str(value(run)) for run in runs if value(run) is not None})) or "–"


def _data_used(data: dict) -> str:
    train, test = (sum(data["class_counts"][split]) for split in ("train", "test"))
    source = (
        "built-in synthetic set" if data.get("source") == "synthetic" else f"user data ({data['data_dir']})"
    )
    return f"{source}, {train:,} / {test:,} clips"


def _epochs_setting(name: str, family: str, used: str) -> Setting:
    budget = str(reference.TRAINING[family]["epochs"])
    return Setting(name, budget, used, used != budget, "the default config lowers them to keep its run short")


def training_settings(runs: list[dict], data: dict) -> list[Setting]:
    """Each choice where ascflow may differ from the reference, with the
    values the runs' metrics record."""
    networks = _runs_of(runs, NETWORK_FAMILIES)
    forests = _runs_of(runs, ("rf",))
    validation = _used(networks, lambda run: run["validation"])
    fractions = sorted({run["validation_fraction"] for run in networks if run["validation"] == "holdout"})
    time_major = _used(_runs_of(runs, ("lstm",)), lambda run: run["time_major"])
    standardize = _used(runs, lambda run: run["standardize"])
    cnn_epochs = _used(_runs_of(runs, ("cnn",)), lambda run: run["settings"]["epochs"])
    lstm_epochs = _used(_runs_of(runs, ("lstm",)), lambda run: run["settings"]["epochs"])
    seeds = sorted({run["seed"] for run in runs})
    trees = ", ".join(str(trees) for trees in sorted({run["settings"]["n_estimators"] for run in forests}))
    reference_trees = ", ".join(str(trees) for trees in reference.FOREST_SIZES)
    held_out = f"held-out {' or '.join(f'{fraction:.0%}' for fraction in fractions)} of the training clips"
    return [
        Setting(
            "data",
            f"real TUT recordings, about {reference.N_TRAIN:,} / {reference.N_TEST:,} clips",
            _data_used(data),
            True if data.get("source") == "synthetic" else None,
            "accuracies are comparable with the reference's only on the same data",
        ),
        Setting(
            "validation set of the networks",
            "the test set",
            validation.replace("holdout", held_out),
            validation != "test",
            "validating on the test set biases its accuracy upward",
        ),
        Setting(
            "LSTM input (time-major view)",
            "reshape (scrambles bands and frames)",
            time_major,
            time_major != "reshape",
            "a transpose keeps each frame's bands together",
        ),
        Setting(
            "input scaling",
            "raw log-mel values",
            standardize.replace("per_band", "per-band standardization (training statistics)"),
            standardize != reference.STANDARDIZE,
            "networks train far better on standardized inputs; forests are unaffected",
        ),
        _epochs_setting("CNN epochs (at most)", "cnn", cnn_epochs),
        _epochs_setting("LSTM epochs", "lstm", lstm_epochs),
        Setting("forest sizes (trees)", reference_trees, trees, trees != reference_trees),
        Setting(
            "seeds",
            "one run",
            ", ".join(str(seed) for seed in seeds),
            len(seeds) > 1,
            "several seeds show the spread between runs",
        ),
    ]


def reference_faithful_warnings(runs: list[dict]) -> list[str]:
    """A warning for each of the reference's flawed choices in force, naming
    the runs it applies to (from the facts their metrics record)."""
    warnings = []
    on_test = [run["model"] for run in _runs_of(runs, NETWORK_FAMILIES) if run.get("validation") == "test"]
    if on_test:
        warnings.append(
            "Validated (and early-stopped) on the test set, the reference's choice: a network validated "
            f"on the test set has a test accuracy biased upward ({', '.join(on_test)})."
        )
    reshaped = [run["model"] for run in _runs_of(runs, ("lstm",)) if run.get("time_major") == "reshape"]
    if reshaped:
        warnings.append(
            "Time-major input built by reshape, the reference's bug: each 'frame' mixes bands from "
            f"different times ({', '.join(reshaped)})."
        )
    return warnings


#: How validation read each label form it converted (ascflow.data.validation).
LABEL_CONVERSIONS = {
    "column_vector": "a column (n, 1), flattened",
    "whole_floats": "whole-valued floats, read as integers",
    "booleans": "booleans, read as 0 and 1",
    "names": "text labels, read as class names",
}


def label_conversions(conversions: dict[str, list[str]]) -> str:
    """A sentence on the label files validation converted, or ''."""
    if not conversions:
        return ""
    described = "; ".join(
        f"{name}: {', '.join(LABEL_CONVERSIONS.get(code, code) for code in codes)}"
        for name, codes in conversions.items()
    )
    return f"Labels converted on reading ({described})."


def _times(shape) -> str:
    return " x ".join(str(size) for size in shape)


def _flatten_input(network: dict) -> list[int]:
    """The shape a counted network's flatten layer receives."""
    layers = network["layers"]
    index = next(i for i, layer in enumerate(layers) if layer["type"] == "flatten")
    return layers[index - 1]["output_shape"] if index else network["input_shape"]


def multiplication_formula(figures: dict) -> str:
    """``124 x 124 x 75 x 32``: output positions x taps per filter x filters."""
    return _times([*figures["output_positions"], figures["taps_per_filter"], figures["filters"]])


def image_cnn_notes(parameters: dict) -> list[str]:
    """What the report must say about the study's image CNN figures, with the
    numbers, from the parameter counts (params.json)."""
    networks, multiplications = parameters["networks"], parameters["image_cnn_conv1_multiplications"]
    if not {"image_cnn_same", "image_cnn_valid"} <= set(networks) or not {"same", "valid"} <= set(
        multiplications
    ):
        return []
    same, valid = networks["image_cnn_same"], networks["image_cnn_valid"]
    same_flatten, valid_flatten = _flatten_input(same), _flatten_input(valid)
    pooled_sides = [same["input_shape"][0]] + [
        layer["output_shape"][0] for layer in same["layers"] if layer["type"] == "maxpool2d"
    ]
    same_conv, valid_conv = multiplications["same"], multiplications["valid"]
    return [
        f"The study's image CNN figures mix paddings: its flatten size of {math.prod(same_flatten):,} "
        f"({_times(same_flatten)}) and total of {same['total_closed_form']:,} parameters need 'same' "
        f"padding in both convolutions ({' -> '.join(str(side) for side in pooled_sides)}), "
        f"but its {_times(valid_conv['output_positions'])} positions behind "
        f"{valid_conv['multiplications']:,} multiplications in the first convolution are 'valid' padding.",
        f"With 'same' padding the first convolution does {multiplication_formula(same_conv)} = "
        f"{same_conv['multiplications']:,} multiplications (taps on the zero padding "
        f"counted); with 'valid' padding everywhere the flatten has {_times(valid_flatten)} = "
        f"{math.prod(valid_flatten):,} values and the network {valid['total_closed_form']:,} parameters.",
        "Multiply-adds (and FLOPs, two per multiply-add) are per clip, forward pass: the products of "
        "convolutions, dense layers and LSTM gates, not biases, activations or pooling.",
    ]
