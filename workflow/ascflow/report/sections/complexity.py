"""The complexity budget: each model's parameter memory and multiply-
accumulates against the limits of the config (DCASE's low-complexity task).

A network's int8 memory is measured on what is deployed, where the run
measured it (results/deployed/, :mod:`ascflow.stages.deployed`): its
exported int8 LiteRT model's constant tensors counted by data type; its
float32 memory and MACs are its layers'. A forest's figures are its tree
nodes'.
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


#: What a deployed measurement's budget says of its int8 model, by the
#: complexity row's keys.
MEASURED_INT8 = {"memory_kb_int8": "memory_kb_int8_file", "fits_memory_int8": "fits_memory_int8_file"}
DEPLOYED_BASIS = (
    "Measured on what is deployed, a network's memory at int8 is instead that of its exported int8 "
    "LiteRT model (results/export/<model>/), "
    "counted on the file as DCASE's complexity.py counts: each stored weight and bias by its data type "
    "(int8 weights 1 byte, the int32 biases of int8 layers 4 bytes, anything left in float32 4 bytes); "
    "shapes and quantization scales are not parameters."
)


def with_deployed(rows: list[dict], deployed: list[dict]) -> list[dict]:
    """The complexity rows, each network's int8 memory and its verdict those
    measured on its exported int8 model (``int8_measured``); a network the
    rows lack (no budget in params.json) gets its row from the measurement."""
    measured = {facts["model"]: facts for facts in deployed}
    merged = []
    for row in rows:
        facts = measured.pop(row["model"], None)
        if facts is None:
            merged.append({**row, "int8_measured": False})
            continue
        budget = facts["complexity"]
        merged.append(
            {**row, **{key: budget[source] for key, source in MEASURED_INT8.items()}, "int8_measured": True}
        )
    for facts in measured.values():
        budget = facts["complexity"]
        row = {key: value for key, value in budget.items() if not isinstance(value, dict)}
        merged.append(
            {
                **row,
                "model": facts["model"],
                "family": facts["family"],
                **{key: budget[source] for key, source in MEASURED_INT8.items()},
                "int8_measured": True,
            }
        )
    return merged


def stored_types_text(facts: dict) -> str:
    """What a network's int8 model stores, by data type, in one clause."""
    memory = facts["memory"]["int8_file"]
    parts = [
        f"{count_text(entry['parameters'])} {dtype} values ({count_text(entry['bytes'])} bytes)"
        for dtype, entry in memory["by_dtype"].items()
    ]
    graph = (
        f" (its file, with the graph, {count_text(memory['file_bytes'])} bytes)"
        if "file_bytes" in memory
        else ""
    )
    return (
        f"{facts['model']}'s int8 model stores {' and '.join(parts)}: {count_text(memory['bytes'])} bytes, "
        f"{memory['kb']:,.1f} KB{graph}, against {facts['memory']['float32']['kb']:,.1f} KB at float32"
    )


def complexity_blocks(results: Results) -> list[Block]:
    deployed = [facts for facts in results.deployed if facts.get("complexity")]
    budget = results.parameters.get("complexity") or (deployed[0]["complexity"] if deployed else None)
    rows = with_deployed(results.complexity if results.parameters.get("complexity") else [], deployed)
    if not rows or not budget:
        return []
    limits = budget["limits"]
    basis = complexity_basis(budget)
    if deployed:
        basis += " " + DEPLOYED_BASIS
    stored = [Paragraph("; ".join(stored_types_text(facts) for facts in deployed) + ".")] if deployed else []
    return [
        Heading("Complexity budget"),
        Paragraph(basis),
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
                for row in rows
            ),
            align="LRRRRRL",
        ),
        *stored,
    ]
