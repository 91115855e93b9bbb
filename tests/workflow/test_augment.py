"""A tiny run with the networks' training batches augmented (config
``augment``): the networks record it, the report's training table names it,
and it is in the networks' settings digests alone."""

from __future__ import annotations

import json

from plans import plan
from support import snakemake, variant_config

#: The issue's values.
AUGMENT = {
    "mixup_alpha": 0.3,
    "freq_mixstyle": {"p": 0.7, "alpha": 0.3},
    "spec_augment": {"freq_masks": 2, "time_masks": 2, "max_width": 8},
    "device_filter_p": 0.5,
}


def test_a_run_with_augmentation_records_it_and_the_report_names_it(tmp_path):
    workdir = tmp_path / "run"
    workdir.mkdir()
    config = variant_config(tmp_path, augment=AUGMENT)
    snakemake(workdir, "--configfile", str(config), "--cores", "2")
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
    off, on = plan().identity, plan({"augment": AUGMENT}).identity
    assert forest["settings_digest"] == off.settings_digest("rf_10") == on.settings_digest("rf_10")
    for network in ("cnn", "lstm"):
        info = json.loads((workdir / f"results/models/{network}.train.json").read_text())
        assert info["settings_digest"] == on.settings_digest(network) != off.settings_digest(network)
