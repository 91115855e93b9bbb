"""The New recordings section: what every model made of the files in
predict_dir, scored as the test set is where they are labelled, counted
where they are not.
"""

from __future__ import annotations

from ascflow.report.blocks import Block, Heading, Paragraph, Table
from ascflow.report.gather import Results
from ascflow.report.sections.data import preparation_text, sample_rates_text
from ascflow.report.sections.formatting import accuracy_text, counted, interval_text, loss_text
from ascflow.report.sections.runs import best_run


def new_recordings_source(facts: dict) -> str:
    """What the models classified, how it was read, and whether it is scored."""
    what = counted(facts["n_files"], "recording" if facts["inputs"] == "recordings" else "clip")
    labelled = (
        f"its {facts['meta']} gives their scene labels, so the predictions are scored as the test set is"
        if facts["labelled"]
        else "without scene labels (no meta.csv, or one without a scene_label column), so the predictions "
        "are counted, not scored"
    )
    sentence = f"Every model classified the {what} in {facts['source']}: {labelled}."
    extraction = facts.get("extraction")
    if extraction:
        sentence += (
            f" The recordings ({sample_rates_text(extraction['sample_rates'])}) were prepared with each "
            f"model's bundle, as training prepared its recordings: {preparation_text(extraction)}."
        )
    return sentence + " Each model's table is results/predict/<model>.tsv."


def _intervals_overlap(first: dict, second: dict) -> bool:
    return first["ci95_low"] <= second["ci95_high"] and second["ci95_low"] <= first["ci95_high"]


def new_recordings_verdict(predictions: list[dict], runs: list[dict]) -> str:
    """How the best model on the test set does on the new recordings."""
    best = best_run(runs)
    new = next((facts for facts in predictions if facts["model"] == best["model"]), None)
    if new is None or not new["labelled"]:
        return ""
    overlap = (
        "the two 95 % intervals overlap: it labels them about as well as the test set"
        if _intervals_overlap(best, new)
        else "the two 95 % intervals do not overlap: "
        + (
            "it labels them better than the test set"
            if new["accuracy"] > best["accuracy"]
            else "it labels them worse than the test set"
        )
    )
    return (
        f"The best model on the test set, {best['model']}, labels the new recordings with accuracy "
        f"{new['accuracy']:.4f} ({new['ci95_low']:.3f}–{new['ci95_high']:.3f}) against "
        f"{best['accuracy']:.4f} ({best['ci95_low']:.3f}–{best['ci95_high']:.3f}) on the test set; {overlap}."
    )


def _per_class_table(predictions: list[dict], key: str, spec: str) -> Table:
    """A row per model, a column per class: each model's ``key`` list, formatted by ``spec``."""
    classes = predictions[0]["class_names"]
    return Table(
        ("model", *classes),
        tuple((facts["model"], *(format(value, spec) for value in facts[key])) for facts in predictions),
        align="L" + "R" * len(classes),
    )


def _per_device_blocks(predictions: list[dict]) -> list[Block]:
    """Each model's accuracy per value of the meta file's device column."""
    devices = list(predictions[0]["per_device"])
    return [
        Paragraph(
            f"Accuracy per {predictions[0]['device_column']} (the column of that name in "
            f"{predictions[0]['meta']}; files in brackets):"
        ),
        Table(
            (
                "model",
                *(f"{device} ({predictions[0]['per_device'][device]['n']:,})" for device in devices),
            ),
            tuple(
                (
                    facts["model"],
                    *(accuracy_text(facts["per_device"][device]["accuracy"]) for device in devices),
                )
                for facts in predictions
            ),
            align="L" + "R" * len(devices),
        ),
    ]


def new_recordings_blocks(results: Results) -> list[Block]:
    predictions = results.predictions
    if not predictions:
        return []
    blocks: list[Block] = [
        Heading("New recordings"),
        Paragraph(new_recordings_source(predictions[0])),
    ]
    if not predictions[0]["labelled"]:
        return [
            *blocks,
            Paragraph("How many files each model put in each class:"),
            _per_class_table(predictions, "predicted_counts", ","),
        ]
    runs = {run["model"]: run for run in results.runs}
    blocks += [
        Paragraph(
            "Scored as the test set is, beside each model's test-set figures: accuracy with its 95 % Wilson "
            "interval, macro-F1 and log loss."
        ),
        Table(
            (
                "model",
                "test accuracy",
                "new: accuracy",
                "new: 95 % CI",
                "test macro-F1",
                "new: macro-F1",
                "test log loss",
                "new: log loss",
            ),
            tuple(
                (
                    facts["model"],
                    accuracy_text(runs[facts["model"]]["accuracy"]),
                    accuracy_text(facts["accuracy"]),
                    interval_text(facts["ci95_low"], facts["ci95_high"]),
                    f"{runs[facts['model']]['macro_f1']:.4f}",
                    f"{facts['macro_f1']:.4f}",
                    loss_text(runs[facts["model"]].get("log_loss")),
                    loss_text(facts["log_loss"]),
                )
                for facts in predictions
            ),
            align="LRRRRRRR",
        ),
    ]
    verdict = new_recordings_verdict(predictions, results.runs)
    if verdict:
        blocks.append(Paragraph(verdict))
    blocks += [
        Paragraph("Recall of each class on the new recordings (share of its files classified right):"),
        _per_class_table(predictions, "per_class_recall", ".3f"),
    ]
    if predictions[0].get("per_device"):
        blocks += _per_device_blocks(predictions)
    return blocks
