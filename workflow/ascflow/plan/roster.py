"""Which models a run trains and evaluates: a forest per tree count and
the networks, once per seed; each model's training runs (a sweep's
variants), the cross-validation folds, and which networks are trained once
more on the whole training set (refit)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property

from ascflow.errors import AscflowError
from ascflow.models.naming import FAMILY_LAYOUT, STUDENT, model_names, model_seed, parse_model_name
from ascflow.models.subsets import fraction_label
from ascflow.models.sweep import SweepPlan


def family(model: str) -> str:
    """``rf``, ``cnn`` or ``lstm``: a model's or a training run's family."""
    return parse_model_name(model).family


def layout(model: str) -> str:
    """The feature layout a model reads."""
    return FAMILY_LAYOUT[family(model)]


def layout_family(feature_layout: str) -> str:
    """The family that reads a feature layout."""
    return next(name for name, family_layout in FAMILY_LAYOUT.items() if family_layout == feature_layout)


class Roster:
    """The models of one run and their training runs."""

    family = staticmethod(family)
    layout = staticmethod(layout)

    def __init__(self, config: Mapping, sweep: SweepPlan):
        self.config = config
        self.sweep = sweep

    @cached_property
    def models(self) -> list[str]:
        """Every model this config evaluates: rf_<trees>..., cnn, lstm (+ seeds),
        and the distilled CNN where the config distills."""
        models = model_names(self.config["rf"]["n_estimators"], self.config["seeds"])
        return [*models, STUDENT] if self.teachers else models

    @property
    def forests(self) -> list[str]:
        return [model for model in self.models if family(model) == "rf"]

    @property
    def networks(self) -> list[str]:
        return [model for model in self.models if family(model) != "rf"]

    # ---- knowledge distillation ---------------------------------------------

    @cached_property
    def teachers(self) -> list[str]:
        """The models whose averaged probabilities the student learns from
        (config distill.teachers); none: no distillation. One sentence where
        the config cannot distill."""
        teachers = list(self.config.get("distill", {}).get("teachers", []))
        if not teachers:
            return []
        reasons = {
            "seeds": bool(self.config["seeds"]),
            "cv.folds above 1": self.config["cv"]["folds"] > 1,
            "validation.mode: test": self.config["validation"]["mode"] == "test",
            # A learning curve's subsets would train the student without its teachers.
            "data_fractions": bool(self.config.get("data_fractions")),
        }
        if any(reasons.values()):
            clash = next(key for key, clashes in reasons.items() if clashes)
            raise AscflowError(
                f"config key distill: a distilled CNN is not trained with {clash}; "
                "set distill.teachers to [] or remove that setting."
            )
        plain = model_names(self.config["rf"]["n_estimators"], self.config["seeds"])
        unknown = [teacher for teacher in teachers if teacher not in plain]
        if unknown:
            raise AscflowError(
                f"config key distill.teachers: {', '.join(unknown)} is not a model of this config; "
                f"its models are {', '.join(plain)}."
            )
        return teachers

    @staticmethod
    def is_student(model: str) -> bool:
        """Whether a model (or a training run of it) is the distilled CNN."""
        return parse_model_name(model).base == STUDENT

    def seed(self, model: str) -> int:
        return model_seed(model, self.config["seed"])

    def unknown_model(self, name: str) -> str:
        """What to tell a user whose target names a model this config does
        not hold: what the config holds, and how to train that one."""
        holds = f"this config's models are {', '.join(self.models)}"
        try:
            wanted = parse_model_name(name)
        except ValueError:
            return (
                f"{name} is not a model name: models are named rf_<trees>, cnn or lstm "
                f"(with _seed<N> under seeds); {holds}."
            )
        if wanted.family == "rf" and wanted.trees not in self.config["rf"]["n_estimators"]:
            trees = [*self.config["rf"]["n_estimators"], wanted.trees]
            return (
                f"{name} is not a model of this config ({holds}); to train it, add {wanted.trees} "
                f"to rf.n_estimators (--config 'rf={{n_estimators: {trees}}}')."
            )
        return f"{name} is not a model of this config ({holds})."

    # ---- training runs: a sweep's variants ---------------------------------

    @cached_property
    def training_runs(self) -> list[str]:
        """Every training run: each model's sweep variants
        (cnn_learning_rate-0.004), or the model itself."""
        return self.sweep.all_runs(self.models)

    @property
    def forest_runs(self) -> list[str]:
        return [run for run in self.training_runs if family(run) == "rf"]

    @property
    def network_runs(self) -> list[str]:
        return [run for run in self.training_runs if family(run) != "rf"]

    def runs(self, model: str) -> list[str]:
        """A model's training runs: its variants, or itself."""
        return self.sweep.runs(model)

    def is_swept(self, model: str) -> bool:
        return self.sweep.is_swept(model)

    @property
    def swept_models(self) -> list[str]:
        return [model for model in self.models if self.is_swept(model)]

    # ---- validation, folds and refits ---------------------------------------

    def refits(self, model: str) -> bool:
        """Whether a network is trained once more on the whole training set
        once validation has chosen its variant and epochs (config refit).
        Forests are fitted on the whole training set already; with
        validation.mode: test the networks are too."""
        return (
            self.config["refit"] and family(model) != "rf" and self.config["validation"]["mode"] == "holdout"
        )

    @property
    def refit_models(self) -> list[str]:
        return [model for model in self.models if self.refits(model)]

    def forest_validates(self, run: str) -> bool:
        """A swept forest scores each variant on the held-out part (besides
        its fit on the whole training set), unless the cv folds rank them."""
        return family(run) == "rf" and self.is_swept(run) and not self.uses_cv

    def reads_test_set(self, model: str) -> bool:
        """Training reads the test set only in the reference's flawed
        validation mode "test", and only for the networks."""
        return family(model) != "rf" and self.config["validation"]["mode"] == "test"

    @property
    def uses_cv(self) -> bool:
        return self.config["cv"]["folds"] > 1

    @property
    def folds(self) -> list[int]:
        """The fold numbers, 1..K; none when not cross-validating."""
        return list(range(1, self.config["cv"]["folds"] + 1)) if self.uses_cv else []

    def chooses_epochs(self, model: str) -> bool:
        """Whether a refitted network's epochs are chosen by rule choose_epochs
        (cv.choose_epochs_on folds or auto, with cv folds): its folds then
        record their validation curves."""
        return self.refits(model) and self.uses_cv and self.config["cv"]["choose_epochs_on"] != "holdout"

    @property
    def epoch_chosen_models(self) -> list[str]:
        return [model for model in self.models if self.chooses_epochs(model)]

    # ---- learning curves: nested subsets of the training set ----------------

    @property
    def fractions(self) -> list[str]:
        """The data_fractions as paths name them (0.05 ... 1), smallest
        first; none: no learning curve."""
        return [fraction_label(value) for value in sorted(self.config.get("data_fractions", []))]

    @property
    def curve_models(self) -> list[str]:
        """The models a learning curve follows: the forests and networks the
        config names (a distilled model is left out: its teachers would have
        to learn each subset first)."""
        plain = model_names(self.config["rf"]["n_estimators"], self.config["seeds"])
        return plain if self.fractions else []

    def reuses_run(self, model: str) -> bool:
        """Whether a model's point at fraction 1 is the run's own model: made
        as a subset's would be (not a sweep's choice, not validated on the
        test set), on the whole training set."""
        return (
            "1" in self.fractions
            and model in self.curve_models
            and not self.is_swept(model)
            and not self.reads_test_set(model)
        )

    @property
    def subset_runs(self) -> list[tuple[str, str]]:
        """Every (model, fraction) trained on a subset as a job of its own."""
        return [
            (model, fraction)
            for model in self.curve_models
            for fraction in self.fractions
            if not (fraction == "1" and self.reuses_run(model))
        ]

    @property
    def subset_models(self) -> list[str]:
        return list(dict.fromkeys(model for model, _ in self.subset_runs))
