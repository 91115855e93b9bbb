"""The Recording devices section: where the data names each clip's device
(DCASE's ``source_label``), every model's test accuracy per device with its
interval, the devices no training clip has marked unseen, and the accuracy
on the known and the unseen devices' clips with the spread over devices.
Nothing where the data names no devices."""

from __future__ import annotations

from ascflow.report.blocks import Block, Heading, Paragraph, Table
from ascflow.report.gather import Results
from ascflow.report.sections.formatting import NOT_APPLICABLE, accuracy_text, counted, interval_text

HEADING = "Recording devices"
#: The models side by side in one per-device table (more, as with seeds, in the next).
MODELS_PER_TABLE = 5


def device_runs(runs: list[dict]) -> list[dict]:
    """The runs scored per device (all of them, where the data names devices)."""
    return [run for run in runs if run.get("per_device")]


def accuracy_with_interval(accuracy: float | None, low: float | None, high: float | None) -> str:
    if accuracy is None:
        return NOT_APPLICABLE
    return f"{accuracy_text(accuracy)} ({interval_text(low, high)})"


def unseen_devices(run: dict) -> list[str]:
    return [name for name, row in run["per_device"].items() if row["unseen"]]


def known_unseen_text(run: dict) -> str:
    """One run's known- and unseen-device accuracy and the spread, for the summary."""
    unseen = (
        f", on the unseen devices' {run['n_unseen_device']:,} clips "
        + accuracy_with_interval(
            run["unseen_device_accuracy"], run["unseen_device_ci95_low"], run["unseen_device_ci95_high"]
        )
        if run["unseen_device_accuracy"] is not None
        else " (every test device was heard in training)"
    )
    return (
        f"on the known devices' {run['n_known_device']:,} test clips "
        + accuracy_with_interval(
            run["known_device_accuracy"], run["known_device_ci95_low"], run["known_device_ci95_high"]
        )
        + unseen
        + f"; the per-device accuracies spread by {run['device_accuracy_sd']:.4f} (standard deviation)"
    )


def _per_device_table(runs: list[dict], devices: list[str]) -> Table:
    """A row per device: its test clips, whether training heard it, and
    each of ``runs``' accuracy on its clips with the interval."""
    first = runs[0]["per_device"]
    return Table(
        ("device", "test clips", "in training", *(run["model"] for run in runs)),
        tuple(
            (
                device,
                f"{first[device]['n']:,}",
                "unseen" if first[device]["unseen"] else "yes",
                *(
                    accuracy_with_interval(
                        run["per_device"][device]["accuracy"],
                        run["per_device"][device]["ci95_low"],
                        run["per_device"][device]["ci95_high"],
                    )
                    for run in runs
                ),
            )
            for device in devices
        ),
        align="LRL" + "R" * len(runs),
        caption="Test accuracy per recording device (95 % Wilson interval).",
    )


def device_blocks(results: Results) -> list[Block]:
    runs = device_runs(results.runs)
    if not runs:
        return []
    devices = list(runs[0]["per_device"])
    unseen = unseen_devices(runs[0])
    heard = (
        f"{counted(len(unseen), 'device')} of them no training clip has: {', '.join(unseen)}, marked unseen"
        if unseen
        else "every one of them is heard in training too"
    )
    per_device = [
        _per_device_table(runs[start : start + MODELS_PER_TABLE], devices)
        for start in range(0, len(runs), MODELS_PER_TABLE)
    ]
    overall = Table(
        ("model", "known devices", "unseen devices", "spread (SD)"),
        tuple(
            (
                run["model"],
                accuracy_with_interval(
                    run["known_device_accuracy"], run["known_device_ci95_low"], run["known_device_ci95_high"]
                ),
                accuracy_with_interval(
                    run["unseen_device_accuracy"],
                    run["unseen_device_ci95_low"],
                    run["unseen_device_ci95_high"],
                ),
                f"{run['device_accuracy_sd']:.4f}",
            )
            for run in runs
        ),
        align="LRRR",
        caption="Test accuracy on the clips of the devices heard in training and of those never heard, "
        "and the standard deviation of the per-device accuracies.",
    )
    return [
        Heading(HEADING),
        Paragraph(
            f"The test clips were recorded through {counted(len(devices), 'device')} (as the data names "
            f"each clip's device: meta.csv's device column, or the DCASE suffix of its file name); "
            f"{heard}."
        ),
        *per_device,
        overall,
    ]
