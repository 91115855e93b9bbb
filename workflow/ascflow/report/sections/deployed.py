"""Accuracy of what is deployed: each network's exported Keras, int8 LiteRT
and ONNX models side by side on the test set (results/deployed/,
:mod:`ascflow.stages.deployed`), with the operators its int8 model left in
float.
"""

from __future__ import annotations

from ascflow.report.blocks import Block, Heading, Paragraph, Table
from ascflow.report.gather import Results
from ascflow.report.sections.formatting import accuracy_text, counted, interval_text, loss_text

#: How the report names each runtime.
RUNTIME_NAMES = {"keras": "Keras, float32", "litert": "LiteRT, int8", "onnx": "ONNX, float32"}


def agreement_text(share: float) -> str:
    return f"{100 * share:.1f} %"


def float_ops_text(facts: dict) -> str:
    """What a network's int8 model computes in float, in one clause."""
    ops = facts.get("float_ops") or []
    if not ops:
        return f"{facts['model']}: every operator of the int8 model computes in integers"
    return f"{facts['model']}: the int8 model leaves {', '.join(ops)} in float"


def deployed_rows(deployed: list[dict]) -> tuple[tuple[str, ...], ...]:
    return tuple(
        (
            facts["model"],
            RUNTIME_NAMES.get(runtime, runtime),
            accuracy_text(score["accuracy"]),
            interval_text(score["ci95_low"], score["ci95_high"]),
            loss_text(score["log_loss"]),
            agreement_text(score["agreement"]),
        )
        for facts in deployed
        for runtime, score in facts["runtimes"].items()
    )


def deployed_summary(facts: dict) -> str:
    """How far the int8 model strays from the Keras model, in one sentence."""
    keras, int8 = facts["runtimes"]["keras"], facts["runtimes"]["litert"]
    change = int8["accuracy"] - keras["accuracy"]
    moved = "no change" if change == 0 else f"{'+' if change > 0 else '−'}{abs(change):.4f}"
    return (
        f"{facts['model']}: the int8 model predicts the Keras model's class for "
        f"{agreement_text(int8['agreement'])} of the clips; its accuracy {accuracy_text(int8['accuracy'])} "
        f"({moved} against {accuracy_text(keras['accuracy'])})"
    )


def deployed_blocks(results: Results) -> list[Block]:
    deployed = results.deployed
    if not deployed:
        return []
    n_test = deployed[0]["n_test"]
    return [
        Heading("Deployed models"),
        Paragraph(
            "Each network's bundle (results/export/<model>/) holds, beside its Keras model, an int8 LiteRT "
            "model (post-training full-integer quantization, calibrated on training clips) and an ONNX "
            f"model. Each scored the {counted(n_test, 'test clip')} on the CPU, opened from the bundle as "
            "`ascflow predict --runtime` opens it. The interval is Wilson's 95 % interval; the last "
            "column is the share of the test clips on which a runtime predicts the Keras model's class."
        ),
        Table(
            ("model", "runtime", "accuracy", "95 % interval", "log loss", "agrees with Keras"),
            deployed_rows(deployed),
            align="LLRRRR",
        ),
        Paragraph("; ".join(deployed_summary(facts) for facts in deployed) + "."),
        Paragraph("Operators left in float: " + "; ".join(float_ops_text(facts) for facts in deployed) + "."),
    ]
