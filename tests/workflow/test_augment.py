"""A tiny run with the networks' training batches augmented (config
``augment``): the networks record it, the report's training table names it,
and it is in the networks' settings digests alone. The run (conftest.py's
augmented_curve_run) draws a learning curve too."""

from __future__ import annotations

import json

from plans import plan
from support import AUGMENT, CURVE


def test_a_run_with_augmentation_records_it_and_the_report_names_it(augmented_curve_run):
    workdir = augmented_curve_run
    for network in ("cnn", "lstm"):
        info = json.loads((workdir / f"results/models/{network}.train.json").read_text())
        assert info["settings"]["augment"] == AUGMENT
        log = (workdir / f"logs/train_network/{network}.log").read_text()
        assert "training batches augmented: device filter p 0.5, Freq-MixStyle p 0.7" in log
    forest = json.loads((workdir / "results/models/rf_10.train.json").read_text())
    assert "augment" not in forest["settings"]

    report = (workdir / "reports/report.md").read_text()
    training = report.split("## Training of the networks", 1)[1].split("\n## ", 1)[0]
    assert "| augmentation of the training batches |" in training
    named = (
        "device filter p 0.5, Freq-MixStyle p 0.7 α 0.3, SpecAugment 2 band and 2 frame masks ≤ 8 wide, "
        "mixup α 0.3"
    )
    rows = [line for line in training.splitlines() if line.startswith(("| cnn", "| lstm"))]
    assert len(rows) == 2 and all(row.rstrip(" |").endswith(named) for row in rows)

    # Augmentation is in the networks' settings digests alone: the forests
    # recorded the digest of the config without it, the networks another.
    off, on = plan(CURVE).identity, plan(CURVE, {"augment": AUGMENT}).identity
    assert forest["settings_digest"] == off.settings_digest("rf_10") == on.settings_digest("rf_10")
    for network in ("cnn", "lstm"):
        info = json.loads((workdir / f"results/models/{network}.train.json").read_text())
        assert info["settings_digest"] == on.settings_digest(network) != off.settings_digest(network)
