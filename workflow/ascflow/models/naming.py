"""Model names, the one vocabulary of paths, metrics and the report.

``rf_<trees>``, ``cnn`` and ``lstm``; with several seeds configured each name
gets a ``_seed<k>`` suffix (``rf_100_seed1``). A variant of a hyperparameter
sweep (:mod:`ascflow.models.sweep`) names its values between the two, as
Snakemake's ``Paramspace`` writes them: ``cnn_learning_rate-0.004``,
``rf_100_max_features-0.3_seed1``. Those are training runs; the model a run
evaluates and reports keeps the name without the variant (``cnn``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NETWORK_FAMILIES = ("cnn", "lstm")
#: The student of knowledge distillation (config distill): the CNN as
#: configured, trained on its teachers' probabilities too; of the cnn family.
STUDENT = "cnn_distilled"
#: Which feature layout each family reads.
FAMILY_LAYOUT = {"rf": "flat", "cnn": "channel", "lstm": "time_major"}

#: A variant's values: ``<key>-<value>`` pairs joined by ``_`` (Paramspace's
#: file name pattern with ``param_sep="-"``); a value is letters, digits and
#: ``. + - _``.
VARIANT_PATTERN = r"[a-z][a-z_]*-[\w.+-]+?"
_NAME = re.compile(
    rf"^(?P<base>rf_(?P<trees>\d+)|{STUDENT}|cnn|lstm)(_(?P<variant>{VARIANT_PATTERN}))?(_seed(?P<seed>\d+))?$"
)


@dataclass(frozen=True)
class ModelName:
    name: str
    base: str  # the name without its variant and seed suffix
    family: str  # rf, cnn or lstm
    trees: int | None  # forests only
    seed_suffix: int | None  # the seed named in the suffix, if any
    variant: str | None = None  # a sweep variant's values (learning_rate-0.004), if any

    @property
    def layout(self) -> str:
        return FAMILY_LAYOUT[self.family]

    @property
    def model(self) -> str:
        """The model this training run is a variant of: the name without its
        variant (``cnn_learning_rate-0.004_seed1`` -> ``cnn_seed1``)."""
        return self.base if self.seed_suffix is None else f"{self.base}_seed{self.seed_suffix}"


def parse_model_name(name: str) -> ModelName:
    match = _NAME.match(name)
    if not match:
        raise ValueError(f"not a model name: {name!r}")
    base = match["base"]
    return ModelName(
        name=name,
        base=base,
        family="rf" if base.startswith("rf_") else "cnn" if base == STUDENT else base,
        trees=int(match["trees"]) if match["trees"] else None,
        seed_suffix=int(match["seed"]) if match["seed"] is not None else None,
        variant=match["variant"],
    )


def variant_name(model: str, variant: str) -> str:
    """The training run of ``model`` (a name without variant) for a sweep
    variant's values (``learning_rate-0.004``): ``cnn_seed1`` ->
    ``cnn_learning_rate-0.004_seed1``; ``model`` itself when ``variant`` is empty."""
    if not variant:
        return model
    name = parse_model_name(model)
    seed = "" if name.seed_suffix is None else f"_seed{name.seed_suffix}"
    return f"{name.base}_{variant}{seed}"


def model_names(tree_counts: list[int], seeds: list[int]) -> list[str]:
    """Every model a run trains, forests first, in a stable order."""
    bases = [f"rf_{trees}" for trees in tree_counts] + list(NETWORK_FAMILIES)
    if not seeds:
        return bases
    return [f"{base}_seed{seed}" for base in bases for seed in seeds]


def model_seed(name: str, default_seed: int) -> int:
    """The seed a model trains with: its suffix's, else the config's seed."""
    suffix = parse_model_name(name).seed_suffix
    return default_seed if suffix is None else suffix
