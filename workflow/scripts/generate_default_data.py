"""Rule generate_default_data: write the built-in synthetic scenes."""

from ascflow.runner import rule_logging

with rule_logging(snakemake.log[0]) as log:
    from pathlib import Path

    from ascflow.data.synthetic import generate_default_data

    params = snakemake.params
    written = generate_default_data(
        Path(snakemake.output.classes).parent,
        n_train=params.n_train,
        n_test=params.n_test,
        n_bands=params.n_features,
        n_frames=params.n_frames,
        n_classes=params.n_classes,
        seed=params.seed,
    )
    log.info("wrote %s", ", ".join(str(path) for path in written.values()))
