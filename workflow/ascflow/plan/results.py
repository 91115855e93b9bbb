"""One results folder, one config: results/ hold the run of the config
that record_run wrote to :data:`RECORDED_CONFIG`. A report regenerated with
another config would describe files it did not make (or plan to retrain
everything), so it stops and says which config to pass; a run with another
config is told that it replaces them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

#: The config of the last completed run, as record_run writes it: complete
#: (defaults filled in), so that ``--configfile`` takes it as it is.
RECORDED_CONFIG = "results/config.yaml"
#: Keys that change no trained model and no data: what to classify, where to
#: log, the budget the report compares with, TensorBoard's logs. A report
#: regenerated with other values of these describes the same results.
RESULT_NEUTRAL_KEYS = frozenset(
    {"predict_dir", "mlflow_tracking_uri", "mlflow_experiment", "complexity_limits", "tensorboard"}
)


def config_differences(recorded: Mapping, current: Mapping, prefix: str = "") -> list[str]:
    """The keys (``cnn.epochs``) whose values differ between two configs,
    but for the top level's :data:`RESULT_NEUTRAL_KEYS`."""
    differences = []
    for key in sorted(set(recorded) | set(current)):
        if not prefix and key in RESULT_NEUTRAL_KEYS:
            continue
        name = f"{prefix}{key}"
        before, after = recorded.get(key), current.get(key)
        if isinstance(before, Mapping) and isinstance(after, Mapping):
            differences += config_differences(before, after, f"{name}.")
        elif before != after:
            differences.append(name)
    return differences


def regenerates_report(arguments: Sequence[str]) -> str | None:
    """The regenerating command among Snakemake's ``arguments`` (``--report``
    or ``--forcerun render_report``), or None for a run of the workflow."""
    for index, argument in enumerate(arguments):
        if argument == "--report" or argument.startswith("--report="):
            return "snakemake --report reports/report.html"
        if argument in ("--forcerun", "-R") and "render_report" in arguments[index + 1 :]:
            return "snakemake --cores 8 --forcerun render_report"
    return None


def results_sentence(differences: list[str], regenerating: str | None) -> str:
    """What to tell a user whose config differs from the one that made results/."""
    keys = ", ".join(differences[:5]) + (f" and {len(differences) - 5} more" if len(differences) > 5 else "")
    made = f"results/ hold the run of another config than this one (it differs in {keys})"
    if regenerating:
        return (
            f"{made}; to regenerate their report, pass the config that made them: "
            f"{regenerating} --configfile {RECORDED_CONFIG}"
        )
    return f"{made}; this run replaces what those settings change ({RECORDED_CONFIG} holds the old config)."
