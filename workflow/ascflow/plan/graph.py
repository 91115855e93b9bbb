"""The run's jobs and the files each reads: the job graph as the plan sees
it. Snakemake derives the same graph from the rules; the workflow tests
compare the two for every kind of run (tests/workflow/test_job_graph.py),
and the Slurm check and the report's time table read this one."""

from __future__ import annotations

from ascflow.plan.outputs import SUMMARY, Output, output
from ascflow.plan.roster import family, layout
from ascflow.plan.run_jobs import RunJobs

#: The rule that trains each family's runs.
TRAINED_BY = {"rf": "train_forest", "cnn": "train_network", "lstm": "train_network"}


class JobGraph(RunJobs):
    """Every job of one run (:class:`RunJobs`) and what the model jobs read."""

    # ---- what each model's job reads ----------------------------------------

    @staticmethod
    def features(model: str, split: str) -> Output:
        return output("make_features", "features", layout=layout(model), split=split)

    def trained(self, model: str) -> dict:
        """The model its evaluation scores and its bundle holds: the refit
        one, or each training run's with validation's choice among them."""
        if self.roster.refits(model):
            runs, rule = [model], "refit_network"
        else:
            runs, rule = self.roster.runs(model), TRAINED_BY[family(model)]
        files = {
            "model": [output(rule, "model", model=run) for run in runs],
            "info": [output(rule, "info", model=run) for run in runs],
            "summary": SUMMARY,
        }
        if self.roster.is_swept(model):
            files["selection"] = output("select_variant", "selection", model=model)
        return files

    def _training(self, rule: str, model: str) -> dict:
        """What a training, a fold or a refit reads: the training split (and
        its groups where it is split for validation), the test set only in the
        reference's flawed validation mode "test"."""
        training = {
            "features": self.features(model, "train"),
            "labels": output("validate_data", "train_labels"),
            "summary": SUMMARY,
        }
        if rule in ("train_network", "cross_validate") or (
            rule == "train_forest" and self.roster.forest_validates(model)
        ):
            training["groups"] = output("validate_data", "train_groups")
        if rule in ("train_network", "refit_network") and self.roster.is_student(model):
            # The teachers' probabilities of every training clip.
            training["teachers"] = output("teacher_probabilities", "probabilities")
        if rule == "train_network" and self.roster.reads_test_set(model):
            training["test_features"] = self.features(model, "test")
            training["test_labels"] = output("validate_data", "test_labels")
        return training

    def _selection(self, model: str) -> dict:
        runs = self.roster.runs(model)
        return {
            "infos": [output(TRAINED_BY[family(model)], "info", model=run) for run in runs],
            "folds": [
                output("cross_validate", "fold", model=run, fold=str(fold))
                for run in runs
                for fold in self.roster.folds
            ],
        }

    def _chosen(self, model: str) -> Output:
        """What validation chose: the sweep's choice, or the one run's facts."""
        if self.roster.is_swept(model):
            return output("select_variant", "selection", model=model)
        return output("train_network", "info", model=model)

    def inputs(self, rule: str, model: str) -> dict:
        """What a model's job of ``rule`` reads. Only the evaluation reads
        the test set, and training does only in the reference's flawed
        validation mode "test"; cross-validation, the choice among variants
        and the refit never do."""
        if rule in ("train_forest", "train_network", "cross_validate"):
            return self._training(rule, model)
        if rule == "select_variant":
            return self._selection(model)
        if rule == "choose_epochs":
            return {
                "chosen": self._chosen(model),
                "folds": self._selection(model)["folds"],
                "labels": output("validate_data", "train_labels"),
                "groups": output("validate_data", "train_groups"),
            }
        if rule == "refit_network":
            chosen = (
                output("choose_epochs", "choice", model=model)
                if self.roster.chooses_epochs(model)
                else self._chosen(model)
            )
            return {**self._training(rule, model), "chosen": chosen}
        if rule == "evaluate_model":
            return {
                **self.trained(model),
                "features": self.features(model, "test"),
                "labels": output("validate_data", "test_labels"),
                # Per-device accuracy, and which test devices training never heard.
                "devices": output("validate_data", "test_devices"),
                "train_devices": output("validate_data", "train_devices"),
            }
        if rule == "export_model":
            # After the evaluation, which checks the model first: a damaged
            # model is named once, by the evaluation, not by both jobs.
            return {**self.trained(model), "metrics": output("evaluate_model", "metrics", model=model)}
        if rule == "measure_deployed":
            # The bundle as exported, scored on the test set (for scoring only);
            # its Keras model's scores are the evaluation's, of the same file.
            return {
                "bundle": output("export_model", "bundle", model=model),
                "models": self.trained(model)["model"],
                "predictions": output("evaluate_model", "probabilities", model=model),
                "features": self.features(model, "test"),
                "labels": output("validate_data", "test_labels"),
                "summary": SUMMARY,
                "metrics": output("evaluate_model", "metrics", model=model),
            }
        raise ValueError(f"no model inputs for rule {rule!r}")

    def subset_inputs(self, model: str, fraction: str) -> dict:
        """What a model's job on a subset reads: the training split (its
        groups, for a network's held-out part), the subset's clip list, and
        the test set, read only to score the model it made."""
        return {
            **self._training("train_network", model),
            "groups": output("validate_data", "train_groups"),
            "subset": output("make_subset", "subset", fraction=fraction),
            "test_features": self.features(model, "test"),
            "test_labels": output("validate_data", "test_labels"),
        }

    def learning_curve_inputs(self) -> dict:
        """What the learning curve's table reads: every subset job's scores,
        the run's own metrics where they are the fraction 1 point, the clip
        lists and the training labels and groups that size them."""
        roster = self.roster
        return {
            "scores": [
                output("fit_subset", "scores", model=model, fraction=fraction)
                for model, fraction in roster.subset_runs
            ],
            "reused": [
                output("evaluate_model", "metrics", model=model)
                for model in roster.models
                if roster.reuses_run(model)
            ],
            "subsets": [output("make_subset", "subset", fraction=fraction) for fraction in roster.fractions],
            "labels": output("validate_data", "train_labels"),
            "groups": output("validate_data", "train_groups"),
        }

    def teacher_inputs(self) -> dict:
        """What the teachers' probabilities read: each teacher's model as its
        evaluation scores it (``<key>_<teacher>``), its training features and
        the training labels; never the test set."""
        files: dict = {"labels": output("validate_data", "train_labels"), "summary": SUMMARY}
        for teacher in self.roster.teachers:
            trained = {key: value for key, value in self.trained(teacher).items() if key != "summary"}
            trained["features"] = self.features(teacher, "train")
            files |= {f"{key}_{teacher}": value for key, value in trained.items()}
        return files

    def unread_models(self) -> list[tuple[Output, Output]]:
        """The (model, info) files a run delivers but nothing reads: each
        training run of a network that is refitted (its evaluation and bundle
        hold the refit). Nothing would notice one damaged; common.smk checks
        them before each run."""
        return [
            (output("train_network", "model", model=run), output("train_network", "info", model=run))
            for model in self.roster.refit_models
            for run in self.roster.runs(model)
        ]
