"""Deviations from the reference: each training choice as the reference
made it and as this run's metrics record it.
"""

from __future__ import annotations

from dataclasses import dataclass

from ascflow.models.naming import NETWORK_FAMILIES
from ascflow.report import reference
from ascflow.report.blocks import Block, Heading, Paragraph, Table
from ascflow.report.gather import Results
from ascflow.report.sections.runs import runs_of
from ascflow.report.sections.summary import reference_faithful_warnings


@dataclass(frozen=True)
class Setting:
    """One training choice, as the reference made it and as this run did."""

    name: str
    reference: str
    used: str
    differs: bool | None  # None: cannot be told from the run (user data)
    why: str = ""


def _used(runs: list[dict], value) -> str:
    """The distinct values of ``value(run)`` over the runs, as text."""
    return ", ".join(sorted({str(value(run)) for run in runs if value(run) is not None})) or "–"


def _data_used(data: dict) -> str:
    train, test = (sum(data["class_counts"][split]) for split in ("train", "test"))
    source = (
        "built-in synthetic set" if data.get("source") == "synthetic" else f"user data ({data['data_dir']})"
    )
    if data.get("source") == "audio":
        source = f"log-mel features of the recordings in {data['audio']['audio_dir']}"
    return f"{source}, {train:,} / {test:,} clips"


def _epochs_setting(name: str, family: str, used: str) -> Setting:
    budget = str(reference.TRAINING[family]["epochs"])
    return Setting(name, budget, used, used != budget, "the default config lowers them to keep its run short")


def training_settings(runs: list[dict], data: dict) -> list[Setting]:
    """Each choice where ascflow may differ from the reference, with the
    values the runs' metrics record."""
    networks = runs_of(runs, NETWORK_FAMILIES)
    forests = runs_of(runs, ("rf",))
    validation = _used(networks, lambda run: run["validation"])
    fractions = sorted({run["validation_fraction"] for run in networks if run["validation"] == "holdout"})
    time_major = _used(runs_of(runs, ("lstm",)), lambda run: run["time_major"])
    standardize = _used(runs, lambda run: run["standardize"])
    cnn_epochs = _used(runs_of(runs, ("cnn",)), lambda run: run["settings"]["epochs"])
    lstm_epochs = _used(runs_of(runs, ("lstm",)), lambda run: run["settings"]["epochs"])
    seeds = sorted({run["seed"] for run in runs})
    trees = ", ".join(str(trees) for trees in sorted({run["settings"]["n_estimators"] for run in forests}))
    reference_trees = ", ".join(str(trees) for trees in reference.FOREST_SIZES)
    grouped = {run.get("split") for run in networks} == {"grouped"}
    held_out = (
        f"held-out {' or '.join(f'{fraction:.0%}' for fraction in fractions)} of the training clips"
        + (", whole recordings" if grouped else ", clip by clip")
    )
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


def deviation_blocks(results: Results) -> list[Block]:
    settings = training_settings(results.runs, results.data)
    status = {True: "differs", False: "as the reference", None: "see note"}
    flawed = (
        "each reference-faithful flawed choice in force is listed under Warnings at the top."
        if reference_faithful_warnings(results.runs)
        else "none of the reference's flawed choices (validating on the test set, the LSTM's reshape) "
        "is in force."
    )
    return [
        Heading("Deviations from the reference"),
        Paragraph(
            "The choices in force in this run, as the metrics of its models record them. Where ascflow "
            f"departs from the reference it does so on purpose; {flawed}"
        ),
        Table(
            ("setting", "reference", "this run", "", "why it matters"),
            tuple(
                (setting.name, setting.reference, setting.used, status[setting.differs], setting.why)
                for setting in settings
            ),
        ),
    ]
