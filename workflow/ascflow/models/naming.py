"""Model names, the one vocabulary of paths, metrics and the report.

``rf_<trees>``, ``cnn`` and ``lstm``; with several seeds configured each name
gets a ``_seed<k>`` suffix (``rf_100_seed1``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NETWORK_FAMILIES = ("cnn", "lstm")
#: Which feature layout each family reads.
FAMILY_LAYOUT = {"rf": "flat", "cnn": "channel", "lstm": "time_major"}

FOREST_PATTERN = r"rf_\d+(_seed\d+)?"
NETWORK_PATTERN = r"(cnn|lstm)(_seed\d+)?"
_NAME = re.compile(r"^(?P<base>rf_(?P<trees>\d+)|cnn|lstm)(_seed(?P<seed>\d+))?$")


@dataclass(frozen=True)
class ModelName:
    name: str
    base: str  # the name without its seed suffix
    family: str  # rf, cnn or lstm
    trees: int | None  # forests only
    seed_suffix: int | None  # the seed named in the suffix, if any

    @property
    def layout(self) -> str:
        return FAMILY_LAYOUT[self.family]


def parse_model_name(name: str) -> ModelName:
    match = _NAME.match(name)
    if not match:
        raise ValueError(f"not a model name: {name!r}")
    base = match["base"]
    return ModelName(
        name=name,
        base=base,
        family="rf" if base.startswith("rf_") else base,
        trees=int(match["trees"]) if match["trees"] else None,
        seed_suffix=int(match["seed"]) if match["seed"] is not None else None,
    )


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
