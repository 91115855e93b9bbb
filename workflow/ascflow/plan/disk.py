"""What the plan needs to know from the disk (the data folders, the
recordings, the installed packages), read in one place: the rest of the plan
is a pure function of the config and the machine.

common.smk calls these when Snakemake parses the workflow: the checks that
stop a run before any job, and the listings whose digests are params (a
recording added to a folder lists it again)."""

from __future__ import annotations

from pathlib import Path

from ascflow.data.audio_folder import layout_files, recordings_on_disk
from ascflow.files import content_digest
from ascflow.plan import Plan
from ascflow.plan.results import RECORDED_CONFIG
from ascflow.tracking import check_installed


def check_inputs(plan: Plan) -> None:
    """One sentence, before any job starts, when the data settings do not
    fit together (DataSource.check), when audio_dir lacks meta.csv or the
    split, when predict_dir holds nothing the models can classify, or when a
    setting needs an optional package that is not installed."""
    check_installed(plan.config["mlflow_tracking_uri"])
    plan.data.check()
    if plan.data.source == "audio" and not plan.data.writes_example_audio:
        layout_files(plan.config["audio_dir"])
    check_predict_dir(plan)


def check_predict_dir(plan: Plan) -> None:
    """One sentence when predict_dir holds nothing the models can
    classify; for array-trained models, checked against the bundles
    exported already, so that a wrong shape stops the run before any job
    (and no table of the models is removed)."""
    from ascflow.prediction import check_array_input, recording_inputs

    if plan.prediction.reads_recordings:
        recording_inputs(plan.config["predict_dir"])
    elif plan.prediction.used:
        check_array_input(plan.config["predict_dir"], [f"results/export/{m}" for m in plan.roster.models])


def audio_listing(plan: Plan) -> str:
    """A digest of the recordings in audio_dir/audio, a param of
    list_audio: adding or removing one lists the folder again (which then
    names any that meta.csv does not list). The example's follow its settings."""
    if plan.data.writes_example_audio:
        return content_digest(plan.data.example_audio_settings)
    if plan.data.source != "audio":
        return ""
    return content_digest(recordings_on_disk(plan.config["audio_dir"]))


def predict_listing(plan: Plan) -> str:
    """A digest of the recordings below predict_dir: adding or removing
    one lists the folder again."""
    from ascflow.prediction import recording_inputs

    if not plan.prediction.reads_recordings:
        return ""
    return content_digest(recording_inputs(plan.config["predict_dir"]))


def recorded_config() -> dict | None:
    """The config of the run whose results results/ hold (record_run wrote
    it), or None before any run completed."""
    import yaml

    path = Path(RECORDED_CONFIG)
    return yaml.safe_load(path.read_text()) if path.is_file() else None


def predict_dir_labelled(plan: Plan) -> bool:
    """Whether predict_dir has a meta.csv whose labels score the predictions."""
    from ascflow.prediction import META_FILE

    return (Path(plan.config["predict_dir"]) / META_FILE).is_file()


def data_folder_names(plan: Plan) -> set[str]:
    """The names in the data folder: which of the optional group files and
    classes.txt the user's folder has."""
    folder = Path(plan.data.data_dir)
    return {path.name for path in folder.iterdir()} if folder.is_dir() else set()
