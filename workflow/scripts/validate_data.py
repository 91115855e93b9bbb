"""Rule validate_data: check the data folder, write its summary and labels."""

from ascflow.runner import rule_logging

with rule_logging(snakemake.log[0]) as log:
    import numpy as np
    from ascflow.data.validation import validate_dataset
    from ascflow.runner import write_json_atomic

    params = snakemake.params
    output = snakemake.output
    summary, labels = validate_dataset(
        params.data_dir, class_names=params.class_names, leakage=params.leakage
    )
    summary["source"] = "synthetic" if params.synthetic else "user"
    for warning in summary["warnings"]:
        log.warning("%s", warning)
    np.save(output.train_labels, labels["train"])
    np.save(output.test_labels, labels["test"])
    write_json_atomic(output.summary, summary)
    log.info(
        "%s: %d classes, %s x %s",
        params.data_dir,
        summary["n_classes"],
        summary["n_features"],
        summary["n_frames"],
    )
