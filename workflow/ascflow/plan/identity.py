"""Each model's identity: the settings a training run uses and their
digest, and the digest of what an evaluated model was made with (its runs,
how validation chose among them, the refit). A change of one model's
settings changes that model's digests alone, so Snakemake re-runs it alone
(the digests are params) and the report refuses metrics of another config."""

from __future__ import annotations

from collections.abc import Mapping

from ascflow.files import content_digest
from ascflow.models.augment import augment_settings
from ascflow.models.naming import parse_model_name
from ascflow.models.settings import ARCHITECTURE_KEYS, forest_settings, without_default_options
from ascflow.plan.roster import Roster, family


def canonical(value):
    """``value`` with every mapping's keys sorted, recursively: Snakemake
    compares params by their text, so the order of keys in a config file
    alone must not re-run anything."""
    if isinstance(value, Mapping):
        return {key: canonical(value[key]) for key in sorted(value)}
    if isinstance(value, list | tuple):
        return [canonical(item) for item in value]
    return value


class Identity:
    """What each training run and each evaluated model is made with."""

    def __init__(self, config: Mapping, roster: Roster):
        self.config = config
        self.roster = roster

    def settings(self, run: str) -> dict:
        """A forest's settings (its tree count and the rf section's other
        keys), or a network's config section (cnn or lstm) alone, with the
        run's sweep values: changing one model's settings re-runs that model only."""
        name = parse_model_name(run)
        if name.family == "rf":
            section = forest_settings(self.config["rf"], name.trees).to_config()
            return self.roster.sweep.settings(run, section)
        # The small networks' options at their defaults are no change of the
        # network: the study's CNN keeps its digest.
        section = without_default_options(name.family, self.config[name.family])
        section = self.roster.sweep.settings(run, section)
        if self.roster.is_student(run):
            # The student's distillation, and what its teachers were made with.
            section = {**section, "distill": self.distill()}
        augment = self.config.get("augment")
        if augment_settings(augment).on:
            # Only when on: without augmentation the section, and so every
            # digest, is what it was before augmentation existed.
            section = {**section, "augment": augment}
        return canonical(section)

    def distill(self) -> dict:
        """The student's distillation (config distill) with each teacher's
        model digest: a change of a teacher re-trains the student."""
        section = self.config["distill"]
        return canonical(
            {
                "teachers": list(self.roster.teachers),
                "temperature": section["temperature"],
                "alpha": section["alpha"],
                "teacher_digests": {teacher: self.model_digest(teacher) for teacher in self.roster.teachers},
            }
        )

    def variant_settings(self, model: str) -> dict[str, dict]:
        """Every training run of a model with its settings: what its choice
        and its refit depend on."""
        return {run: self.settings(run) for run in self.roster.runs(model)}

    def validation(self, run: str) -> dict:
        """The held-out split a run validates on: a network's, or a swept
        forest's (to rank its variants); otherwise none."""
        if family(run) == "rf" and not self.roster.forest_validates(run):
            return {}
        return canonical(self.config["validation"])

    def training_facts(self, run: str) -> dict:
        """Every setting that shapes a training run besides the data: what
        its settings digest covers."""
        facts = {
            "seed": self.roster.seed(run),
            "standardize": self.config["features"]["standardize"],
            "settings": self.settings(run),
        }
        if self.validation(run):
            facts["validation"] = self.validation(run)
        return facts

    def settings_digest(self, run: str) -> str:
        """Recorded by a run's training and carried into the metrics."""
        return content_digest(self.training_facts(run))

    def model_digest(self, model: str) -> str:
        """What an evaluated model was made with: its training run's digest,
        or, when validation chose among variants or a refit followed, every
        run's, how they were ranked and whether the choice was refitted. The
        report checks each model's metrics against it."""
        runs = self.roster.runs(model)
        if runs == [model] and not self.roster.refits(model):
            return self.settings_digest(model)
        facts = {
            "runs": {run: self.settings_digest(run) for run in runs},
            "ranked_by_folds": self.config["cv"]["folds"] if self.roster.is_swept(model) else 0,
            "refit": self.roster.refits(model),
        }
        if self.roster.chooses_epochs(model):  # only then: the digests of before stay
            facts["epochs_chosen_on"] = {
                key: self.config["cv"][key] for key in ("folds", "choose_epochs_on", "min_holdout_clips")
            }
        return content_digest(facts)

    @property
    def settings_digests(self) -> dict[str, str]:
        return {model: self.model_digest(model) for model in self.roster.models}

    def architecture(self, network: str) -> dict:
        """The keys of a network's section that shape the network: what its
        parameter count depends on."""
        section = self.config[network]
        keys = [key for key in ARCHITECTURE_KEYS[network] if key in section]
        return canonical(without_default_options(network, {key: section[key] for key in keys}))

    def time_major(self, feature_layout: str) -> str:
        """How the LSTM's layout views a clip; the other layouts keep a fixed
        value, so that changing it re-runs the LSTM's features alone."""
        return self.config["lstm"]["time_major"] if feature_layout == "time_major" else "transpose"

    def gpu_setting(self, model: str):
        """The config's ``gpu`` for a network; a forest's is fixed, so that
        changing it re-runs the networks alone."""
        return False if family(model) == "rf" else self.config["gpu"]
