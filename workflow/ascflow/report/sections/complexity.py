"""The complexity budget: each model's parameter memory and multiply-
accumulates against the limits of the config (DCASE's low-complexity task).
"""

from __future__ import annotations

from ascflow.report.blocks import Block, Heading, Paragraph, Table
from ascflow.report.gather import Results
from ascflow.report.sections.formatting import count_text


def complexity_verdict(row: dict) -> str:
    """Whether a model fits the limits, in a few words: where memory fits
    only once the parameters are stored as int8, that is said."""
    memory = row["fits_memory_float32"] or row["fits_memory_int8"]
    if memory and row["fits_macs"]:
        return "yes" if row["fits_memory_float32"] else "at int8 only"
    misses = [what for what, fits in (("memory", memory), ("MACs", row["fits_macs"])) if not fits]
    return "no: " + " and ".join(misses)


def complexity_basis(budget: dict) -> str:
    """The limits and the clip length behind the per-second figures."""
    limits = budget["limits"]
    seconds = budget["clip_seconds"]
    clip = (
        f"a clip is {seconds:g} s of audio (the clip length the recordings were cut to)"
        if budget["clip_seconds_from"] == "audio"
        else f"a clip is taken as {seconds:g} s of audio (its frames at a 20 ms hop, as arrays record none)"
    )
    return (
        f"Limits (config complexity_limits): {limits['parameter_memory_kb']:g} KB of parameter memory and "
        f"{limits['macs_per_second']:,.0f} multiply-accumulates (MACs) per second of audio, the defaults "
        "being those of DCASE 2022-2024 Task 1 (low-complexity acoustic scene classification); "
        f"{clip}. KB are 1,024 bytes: 4 per parameter at float32, 1 at int8. A network's figures are its "
        "closed-form counts (the parameters equal Keras's count of the trained model; MACs are those of "
        "the convolutions, dense layers and LSTM gates). A forest's parameters are its tree nodes, one "
        "stored value each (a split's threshold or a leaf's class), and it multiplies nothing: a "
        "prediction makes one comparison per level of each tree."
    )


def complexity_blocks(results: Results) -> list[Block]:
    budget = results.parameters.get("complexity")
    if not results.complexity or not budget:
        return []
    limits = budget["limits"]
    return [
        Heading("Complexity budget"),
        Paragraph(complexity_basis(budget)),
        Table(
            (
                "model",
                "parameters or tree nodes",
                "memory at float32 (KB)",
                "memory at int8 (KB)",
                "MACs per clip",
                "MACs per second of audio",
                f"within {limits['parameter_memory_kb']:g} KB and "
                f"{limits['macs_per_second'] / 1e6:g} M MACs/s",
            ),
            tuple(
                (
                    row["model"],
                    count_text(row["parameters"]),
                    f"{row['memory_kb_float32']:,.1f}",
                    f"{row['memory_kb_int8']:,.1f}",
                    count_text(row["macs_per_clip"]),
                    count_text(round(row["macs_per_second"])),
                    complexity_verdict(row),
                )
                for row in results.complexity
            ),
            align="LRRRRRL",
        ),
    ]
