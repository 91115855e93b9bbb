"""Hyperparameter sweeps: the config's ``sweep`` section as named variants,
and the choice among them on validation data.

``sweep: {cnn: {learning_rate: [0.0007, 0.004]}}`` gives every CNN model two
training runs, ``cnn_learning_rate-0.0007`` and ``cnn_learning_rate-0.004``:
the product of a family's value lists, named by Snakemake's ``Paramspace``
(its file-name pattern, ``<key>-<value>`` joined by ``_``; the workflow hands
it in), so
that each variant trains as a job of its own and its name reads the same in
paths, tables and figures. Keys are taken in alphabetical order, so that
reordering them in a config file renames nothing. Without a sweep a model has
one training run, of its own name, as before sweeps existed.

:func:`rank_variants` orders a model's variants by their validation accuracy
(the held-out part, or the mean over the cross-validation folds); the first
is the one the model keeps. The test set has no say in it: nothing here
reads it.
"""

from __future__ import annotations

import itertools
import re
import statistics
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ascflow.configuration import check_config, coerce_to_schema
from ascflow.errors import AscflowError
from ascflow.models.naming import parse_model_name, variant_name

#: Keys a sweep cannot vary, and why.
NOT_SWEPT = {
    ("rf", "n_estimators"): "each tree count is a model of its own already (rf.n_estimators)",
    ("cnn", "conv_layers"): "a list of layers cannot name a variant; sweep pool_size or the fitting keys",
    ("lstm", "time_major"): "it shapes the LSTM's features, which every variant shares",
}
#: What a value may hold to name a variant in a file name.
_VALUE_TEXT = re.compile(r"^[\w.+-]+$")


@dataclass(frozen=True)
class Variant:
    """One point of a family's sweep: its values and the label naming them."""

    label: str  # learning_rate-0.004_batch_size-32, as Paramspace writes it
    values: dict


def family_variants(grid: Mapping[str, list], variant_labels: Callable) -> list[Variant]:
    """The product of ``grid``'s value lists (keys in alphabetical order),
    named by ``variant_labels`` (a table of the values, a row per variant, to
    a label per row: Snakemake's ``Paramspace`` naming, which the workflow
    gives, so that this package imports no Snakemake)."""
    import pandas as pd

    keys = sorted(grid)
    rows = list(itertools.product(*(grid[key] for key in keys)))
    # object columns: each value prints as written (no 32 -> 32.0 beside a float).
    frame = pd.DataFrame(rows, columns=keys, dtype=object)
    return [
        Variant(label, dict(zip(keys, row, strict=True)))
        for label, row in zip(variant_labels(frame), rows, strict=True)
    ]


def typed_sweep(sweep: Mapping, schema: Mapping) -> dict:
    """``sweep`` with values given as text (``--config 'sweep={cnn:
    {learning_rate: [0.001, 0.01]}}'`` passes them so) typed as their
    family's keys are, where the text reads unambiguously as that type."""
    families = schema["properties"]
    return {
        family: {
            key: [
                coerce_to_schema(value, families[family]["properties"][key])
                if key in families.get(family, {}).get("properties", {})
                else value
                for value in values
            ]
            for key, values in grid.items()
        }
        for family, grid in sweep.items()
    }


def check_sweep(sweep: Mapping, schema: Mapping, validation_mode: str) -> None:
    """One sentence for the first problem of the config's ``sweep`` section:
    a key that cannot be swept, a value its family's section would refuse or
    that cannot name a file, a value listed twice, or a choice that would
    have to be made on the test set."""
    for family, grid in sweep.items():
        section = schema["properties"][family]["properties"]
        for key, values in grid.items():
            where = f"config key sweep.{family}.{key}"
            if (family, key) in NOT_SWEPT or key not in section:
                why = NOT_SWEPT.get((family, key), f"{family} has no such key")
                sweepable = sorted(k for k in section if (family, k) not in NOT_SWEPT)
                raise AscflowError(f"{where}: cannot be swept: {why}; sweepable: {', '.join(sweepable)}.")
            for value in values:
                try:
                    check_config({key: value}, {"type": "object", "properties": {key: section[key]}})
                except AscflowError as error:
                    raise AscflowError(
                        str(error).replace("config key ", f"config key sweep.{family}.", 1)
                    ) from None
                if not _VALUE_TEXT.match(str(value)):
                    raise AscflowError(
                        f"{where}: {value!r} cannot name a variant in file names; "
                        "use letters, digits, '.', '+', '-' and '_'."
                    )
            if len({str(value) for value in values}) < len(values):
                raise AscflowError(f"{where}: lists a value twice ({values}).")
    if any(sweep.values()) and validation_mode == "test":
        raise AscflowError(
            "config key sweep: variants are chosen on validation data, but validation.mode: test "
            "validates on the test set; set validation.mode: holdout (or cv.folds) to sweep."
        )


class SweepPlan:
    """The training runs of every model under a config's ``sweep`` section."""

    def __init__(
        self, sweep: Mapping[str, Mapping[str, list]] | None, variant_labels: Callable | None = None
    ):
        self.grids = {family: dict(grid) for family, grid in (sweep or {}).items() if grid}
        if self.grids and variant_labels is None:
            raise ValueError("a sweep's variants need their labels (variant_labels)")
        self._variants = {
            family: family_variants(grid, variant_labels) for family, grid in self.grids.items()
        }

    def is_swept(self, model: str) -> bool:
        """Whether ``model`` (a model or one of its runs) has variants."""
        return parse_model_name(model).family in self._variants

    def parameters(self, family: str) -> list[str]:
        """The keys swept for ``family``, in the order variant names use."""
        return sorted(self.grids.get(family, {}))

    def runs(self, model: str) -> list[str]:
        """The training runs of ``model``: one per variant, or the model itself."""
        variants = self._variants.get(parse_model_name(model).family)
        return [variant_name(model, variant.label) for variant in variants] if variants else [model]

    def all_runs(self, models: list[str]) -> list[str]:
        return [run for model in models for run in self.runs(model)]

    def values(self, run: str) -> dict:
        """The swept settings of a training run; empty for a model without variants."""
        name = parse_model_name(run)
        for variant in self._variants.get(name.family, []):
            if variant.label == name.variant:
                return dict(variant.values)
        return {}

    def settings(self, run: str, section: Mapping) -> dict:
        """A run's settings: its family's config ``section`` with its variant's values."""
        return {**section, **self.values(run)}


def fold_scores(folds: list[dict]) -> tuple[float | None, float | None]:
    """Mean and sample standard deviation of a run's fold accuracies (None, None without folds)."""
    scores = [row["accuracy"] for row in folds]
    if not scores:
        return None, None
    return statistics.fmean(scores), statistics.stdev(scores) if len(scores) > 1 else None


def rank_variants(candidates: list[dict]) -> list[dict]:
    """``candidates`` (one per run: ``validation_accuracy`` on the held-out
    part, and ``cv_mean`` when cross-validating) with their ``score`` and
    ``rank``, best first: the mean over folds where there is one, else the
    held-out accuracy. Ties keep the order given, so that the choice is
    stable. A run without any validation score cannot be ranked."""
    scored = []
    for candidate in candidates:
        score = candidate.get("cv_mean")
        if score is None:
            score = candidate.get("validation_accuracy")
        if score is None:
            raise AscflowError(f"{candidate['run']}: has no validation accuracy to rank the variants by.")
        scored.append({**candidate, "score": score})
    ranked = sorted(scored, key=lambda candidate: -candidate["score"])
    return [{**candidate, "rank": position} for position, candidate in enumerate(ranked, start=1)]


def varied_keys(settings: Mapping[str, Mapping]) -> list[str]:
    """The keys whose values differ between the runs' ``settings``: the swept ones."""
    keys = sorted({key for section in settings.values() for key in section})
    return [key for key in keys if len({repr(section.get(key)) for section in settings.values()}) > 1]
