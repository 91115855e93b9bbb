"""What a run delivers and every job of it, in the order the data flows:
the job list that :class:`~ascflow.plan.graph.JobGraph` completes with
what each model job reads."""

from __future__ import annotations

from collections.abc import Mapping

from ascflow.data.validation import SPLITS
from ascflow.features import LAYOUTS
from ascflow.plan.outputs import Job, Output, output
from ascflow.plan.prediction import Prediction
from ascflow.plan.roster import Roster
from ascflow.plan.source import DataSource


class RunJobs:
    """Every job of one run, and the files it delivers."""

    def __init__(self, config: Mapping, data: DataSource, roster: Roster, prediction: Prediction):
        self.config = config
        self.data = data
        self.roster = roster
        self.prediction = prediction

    @property
    def tracks_runs(self) -> bool:
        """Whether the run is logged to MLflow (config mlflow_tracking_uri)."""
        return bool(self.config["mlflow_tracking_uri"])

    def targets(self) -> list[Output]:
        """Everything a run delivers besides the report. The models and their
        metrics are listed too: Snakemake does not re-create a missing
        intermediate file while the files made from it exist, so a model
        deleted (say, after its evaluation found it damaged) would otherwise
        never be retrained and the report would keep describing it."""
        roster = self.roster
        made = [output("validate_data", "summary")]
        made += [output("train_forest", "model", model=run) for run in roster.forest_runs]
        made += [output("train_network", "model", model=run) for run in roster.network_runs]
        made += [output("refit_network", "history", model=model) for model in roster.refit_models]
        made += [output("select_variant", "selection", model=model) for model in roster.swept_models]
        made += [output("choose_epochs", "choice", model=model) for model in roster.epoch_chosen_models]
        made += [output("evaluate_model", "metrics", model=model) for model in roster.models]
        # Every model as a bundle that `ascflow predict` reads, after any run.
        made += [output("export_model", "bundle", model=model) for model in roster.models]
        made += [output("measure_deployed", "deployed", model=model) for model in roster.networks]
        made += [output("compare_models", "comparisons"), output("summarize_metrics", "summary")]
        made += [output("summarize_folds", "folds")] if roster.uses_cv else []
        made += [output("summarize_learning_curve", "table")] if roster.fractions else []
        made.append(output("count_parameters", "counts"))
        made.append(output("record_run", "ledger"))
        made += self.prediction.files("table")
        if self.tracks_runs:
            made.append(output("track_run", "tracked"))
        return made

    def _data_jobs(self, chunks: list[str] | None) -> list[Job]:
        jobs = []
        if self.data.source == "audio":
            if self.data.writes_example_audio:
                jobs.append(Job("generate_example_audio"))
            jobs.append(Job("list_audio"))
            jobs += [Job("extract_audio_chunk", {"chunk": chunk}) for chunk in chunks or ["0000"]]
            jobs.append(Job("gather_audio_features"))
        if self.data.source == "synthetic":
            jobs.append(Job("generate_default_data"))
        jobs.append(Job("validate_data"))
        jobs += [
            Job("make_features", {"layout": layout, "split": split}) for layout in LAYOUTS for split in SPLITS
        ]
        return jobs

    def _model_jobs(self) -> list[Job]:
        roster = self.roster
        jobs = [Job("train_forest", {"model": run}) for run in roster.forest_runs]
        jobs += [Job("train_network", {"model": run}) for run in roster.network_runs]
        jobs += [
            Job("cross_validate", {"model": run, "fold": str(fold)})
            for run in roster.training_runs
            for fold in roster.folds
        ]
        jobs += [Job("select_variant", {"model": model}) for model in roster.swept_models]
        jobs += [Job("choose_epochs", {"model": model}) for model in roster.epoch_chosen_models]
        jobs += [Job("teacher_probabilities")] if roster.teachers else []
        jobs += [Job("refit_network", {"model": model}) for model in roster.refit_models]
        jobs += [Job("evaluate_model", {"model": model}) for model in roster.models]
        jobs += [Job("export_model", {"model": model}) for model in roster.models]
        jobs += [Job("measure_deployed", {"model": model}) for model in roster.networks]
        return jobs + self._learning_curve_jobs()

    def _learning_curve_jobs(self) -> list[Job]:
        """A clip list per fraction, a job per model and subset, one table."""
        roster = self.roster
        if not roster.fractions:
            return []
        jobs = [Job("make_subset", {"fraction": fraction}) for fraction in roster.fractions]
        jobs += [
            Job("fit_subset", {"model": model, "fraction": fraction})
            for model, fraction in roster.subset_runs
        ]
        return [*jobs, Job("summarize_learning_curve")]

    def _prediction_jobs(self, new_chunks: list[str] | None) -> list[Job]:
        if not self.prediction.used:
            return []
        jobs = []
        if self.prediction.reads_recordings:
            jobs.append(Job("list_predict_recordings"))
            jobs += [Job("extract_predict_chunk", {"chunk": chunk}) for chunk in new_chunks or ["0000"]]
        return jobs + [Job("predict_model", {"model": model}) for model in self.roster.models]

    def jobs(self, chunks: list[str] | None = None, new_chunks: list[str] | None = None) -> list[Job]:
        """Every job of the run, in the order the data flows; ``chunks``:
        the audio chunks, once list_audio has listed them, and
        ``new_chunks`` predict_dir's (one stands for all where they are not
        known yet)."""
        jobs = self._data_jobs(chunks) + self._model_jobs()
        jobs += [Job("summarize_metrics"), Job("compare_models")]
        if self.roster.uses_cv:
            jobs.append(Job("summarize_folds"))
        jobs += [Job("count_parameters"), Job("render_report"), Job("record_run")]
        if self.tracks_runs:
            jobs.append(Job("track_run"))
        return jobs + self._prediction_jobs(new_chunks)
