"""Comparing the models: which accuracy differences the paired tests
(McNemar's on the shared test clips, a t-test over seeds) find significant.
"""

from __future__ import annotations

from pathlib import Path

from ascflow.models.naming import parse_model_name
from ascflow.report.blocks import Block, Figure, Heading, Paragraph
from ascflow.report.gather import Results
from ascflow.report.outputs import SIGNIFICANCE


def _p_text(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def significance(comparisons: dict, runs: list[dict]) -> str:
    """Which accuracy differences McNemar's test finds significant, as one
    paragraph: the better model of each significant pair first."""
    pairs = comparisons["mcnemar"]
    if not pairs:
        return "Only one model was trained: there is nothing to compare."
    accuracy = {run["model"]: run["accuracy"] for run in runs}
    significant = sorted(
        (pair for pair in pairs if pair["significant"]),
        key=lambda pair: -max(accuracy[pair["first"]], accuracy[pair["second"]]),
    )
    described = []
    for pair in significant:
        better, worse = sorted((pair["first"], pair["second"]), key=lambda model: -accuracy[model])
        described.append(f"{better} > {worse} ({_p_text(pair['p_holm'])})")
    level = f"{comparisons['alpha'] * 100:g} %"
    basis = (
        f"McNemar's exact test on the {comparisons['n_test']:,} test clips both models share"
        if len(pairs) == 1
        else f"McNemar's exact test on the {comparisons['n_test']:,} test clips all models share, "
        f"Holm-adjusted over the {len(pairs)} pairs"
    )
    if not significant:
        return f"No difference between the models is significant at {level} ({basis})."
    rest = len(pairs) - len(significant)
    # Every pair listed, one left, or several.
    others = {0: "", 1: "; the other difference is not"}.get(rest, f"; the other {rest} differences are not")
    return f"Significant at {level} ({basis}): {'; '.join(described)}{others}."


def verdict_reference(comparisons: dict) -> str:
    """Where the verdict of the paired tests stands: the Summary states it
    once, with every significant pair; this section refers to it."""
    if not comparisons["mcnemar"]:
        return "Only one model was trained: there is nothing to compare."
    return (
        f"Which of the {len(comparisons['mcnemar'])} pairs differ significantly at "
        f"{comparisons['alpha'] * 100:g} % is stated in the Summary; the figure gives every pair's "
        "adjusted p-value."
    )


def seed_significance(comparisons: dict) -> str:
    """The paired test over seeds, as a sentence; '' without seeds."""
    rows = comparisons.get("seeds") or []
    if not rows:
        return ""
    significant = [
        f"{row['first'] if row['mean_difference'] > 0 else row['second']} > "
        f"{row['second'] if row['mean_difference'] > 0 else row['first']} ({_p_text(row['p_holm'])})"
        for row in rows
        if row["significant"]
    ]
    seeds = len(rows[0]["seeds"])
    found = "; ".join(significant) if significant else "no pair differs significantly"
    return (
        f"Over the {seeds} seeds (paired t-test of the accuracies, Holm-adjusted over "
        f"{len(rows)} pairs): {found}."
    )


def comparison_blocks(results: Results, figures: dict[str, Path]) -> list[Block]:
    blocks: list[Block] = [
        Heading("Comparing the models"),
        Paragraph(
            "All models are scored on the same test clips, so every two are compared with a paired test: "
            "McNemar's exact test reads the clips one model got right and the other wrong. The p-values "
            "are adjusted for the number of pairs with Holm's method. "
            + verdict_reference(results.comparisons)
        ),
    ]
    over_seeds = seed_significance(results.comparisons)
    if over_seeds:
        blocks.append(Paragraph(over_seeds))
    blocks.append(
        Figure(
            figures[SIGNIFICANCE],
            "Holm-adjusted McNemar p-values of every two models (bold: below 5 %).",
            width=significance_width(results.comparisons),
        )
    )
    return blocks


def significance_width(comparisons: dict) -> float:
    """The share of the page the p-value matrix takes: as its cells' text
    is of one size whatever their number, a few models' matrix needs less
    than the page's width to read as well as the figures around it."""
    models = comparisons.get("models") or []
    first_seed = parse_model_name(models[0]).seed_suffix if models else None
    shown = sum(parse_model_name(model).seed_suffix == first_seed for model in models)
    return min(1.0, 0.35 + 0.05 * shown)
