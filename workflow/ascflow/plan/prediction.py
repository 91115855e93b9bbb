"""Prediction in the workflow: whether a run classifies predict_dir with
every model, what each prediction job reads, and what the predict target
delivers."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ascflow.errors import AscflowError
from ascflow.plan.outputs import Output, output
from ascflow.plan.roster import Roster
from ascflow.plan.source import DataSource


class Prediction:
    """predict_dir's place in one run."""

    def __init__(self, config: Mapping, data: DataSource, roster: Roster):
        self.config = config
        self.data = data
        self.roster = roster

    @property
    def used(self) -> bool:
        """Whether the run classifies predict_dir with every model."""
        return bool(self.config["predict_dir"])

    @property
    def reads_recordings(self) -> bool:
        """Models trained on recordings classify recordings (extracted as
        their bundles say); those trained on arrays classify predict_dir's X.npy."""
        return self.used and self.data.source == "audio"

    def inputs(self, model: str, chunks: list[str], labelled: bool) -> dict:
        """A model's bundle and what it classifies: the listing of new
        recordings and its ``chunks``, or predict_dir's X.npy; and meta.csv
        where predict_dir has one (``labelled``), whose labels score the predictions."""
        from ascflow.prediction import ARRAY_FILE, META_FILE

        folder = Path(self.config["predict_dir"])
        inputs: dict = {"bundle": output("export_model", "bundle", model=model)}
        if self.reads_recordings:
            inputs["manifest"] = output("list_predict_recordings", "manifest")
            inputs["chunks"] = [output("extract_predict_chunk", "chunk", chunk=chunk) for chunk in chunks]
        else:
            inputs["clips"] = str(folder / ARRAY_FILE)
        if labelled:
            inputs["meta"] = str(folder / META_FILE)
        return inputs

    def files(self, kind: str) -> list[Output]:
        """Every model's prediction ``table`` or ``facts`` when predict_dir is set."""
        if not self.used:
            return []
        return [output("predict_model", kind, model=model) for model in self.roster.models]

    def targets(self) -> list[Output]:
        """What the predict target asks for: every model's table and facts."""
        if not self.used:
            raise AscflowError(
                "config key predict_dir: is empty; name the folder to classify "
                "(snakemake --cores 8 predict --config predict_dir=PATH)."
            )
        return self.files("table") + self.files("facts")
