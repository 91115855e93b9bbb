"""What the report concludes: interval comparisons, deviations, warnings.

Pure functions of the results and the config, so each sentence the report
states can be tested without rendering anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

from ascflow import reference
from ascflow.models.naming import NETWORK_FAMILIES


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


def _used(runs: list[dict], key: str, fallback) -> str:
    """The values of a metrics key over the runs, or the config's if none has it."""
    values = sorted({str(run[key]) for run in runs if run.get(key) is not None})
    return ", ".join(values) if values else str(fallback)


def _hyperparameter(runs: list[dict], key: str, fallback) -> str:
    values = sorted(
        {str(run["hyperparameters"][key]) for run in runs if key in run.get("hyperparameters", {})}
    )
    return ", ".join(values) if values else str(fallback)


def _data_used(data: dict) -> str:
    train, test = (sum(data["class_counts"][split]) for split in ("train", "test"))
    source = (
        "built-in synthetic set" if data.get("source") == "synthetic" else f"user data ({data['data_dir']})"
    )
    return f"{source}, {train:,} / {test:,} clips"


def _epochs_setting(name: str, family: str, used: str) -> Setting:
    budget = str(reference.TRAINING[family]["epochs"])
    return Setting(name, budget, used, used != budget, "the default config lowers them to keep its run short")


def training_settings(runs: list[dict], config: dict, data: dict) -> list[Setting]:
    """Each choice where ascflow may differ from the reference, with the
    values actually used: from the metrics where they record them, else the
    config."""
    networks = _runs_of(runs, NETWORK_FAMILIES)
    cnn, lstm = _runs_of(runs, ("cnn",)), _runs_of(runs, ("lstm",))
    validation = _used(networks, "validation", config["validation"]["mode"])
    time_major = _used(lstm, "time_major", config["lstm"]["time_major"])
    standardize = _used(networks, "standardize", config["features"]["standardize"])
    cnn_epochs = _hyperparameter(cnn, "epochs", config["cnn"]["epochs"])
    lstm_epochs = _hyperparameter(lstm, "epochs", config["lstm"]["epochs"])
    fraction = config["validation"]["fraction"]
    seeds = config.get("seeds") or [config["seed"]]
    trees = ", ".join(str(trees) for trees in config["rf"]["n_estimators"])
    reference_trees = ", ".join(str(trees) for trees in reference.FOREST_SIZES)
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
            validation.replace("holdout", f"held-out {fraction:.0%} of the training clips"),
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


def reference_faithful_warnings(runs: list[dict], config: dict) -> list[str]:
    """Warnings for the reference's flawed choices in force.

    The sentences the evaluation wrote into each run's ``flags`` come first,
    naming the runs they apply to. The validation mode and the LSTM's view
    are also checked here, so that a run without flags is still caught.
    """
    flagged: dict[str, list[str]] = {}
    for run in runs:
        for flag in run.get("flags", []):
            flagged.setdefault(flag, []).append(run["model"])
    # The flags are sentence fragments ("validated ... on the test set ...").
    warnings = [f"{flag[:1].upper()}{flag[1:]} ({', '.join(models)})." for flag, models in flagged.items()]

    def unflagged(selected: list[dict]) -> list[str]:
        return [run["model"] for run in selected if not run.get("flags")]

    networks = _runs_of(runs, NETWORK_FAMILIES)
    on_test = [run for run in networks if run.get("validation") == "test"]
    if (not networks and config["validation"]["mode"] == "test") or unflagged(on_test):
        warnings.append(
            "The networks were validated (the CNN also early-stopped) on the test set, the reference's "
            "choice: their test accuracy is biased upward "
            f"({', '.join(unflagged(on_test)) or 'validation.mode: test'})."
        )
    lstm = _runs_of(runs, ("lstm",))
    reshaped = [run for run in lstm if run.get("time_major") == "reshape"]
    if (not lstm and config["lstm"]["time_major"] == "reshape") or unflagged(reshaped):
        warnings.append(
            "The LSTM read clips reshaped, not transposed, the reference's bug: each 'frame' mixes "
            f"bands from different times ({', '.join(unflagged(reshaped)) or 'lstm.time_major: reshape'})."
        )
    return warnings
