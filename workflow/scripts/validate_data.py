"""Rule validate_data: check the data folder, write its summary and labels."""

from ascflow.stages.runtime import rule_logging

with rule_logging(snakemake.log[0]):
    from ascflow.stages.data import validate_data

    validate_data(
        data_dir=snakemake.params.data_dir,
        class_names=list(snakemake.params.class_names),
        leakage=snakemake.params.leakage,
        synthetic=snakemake.params.synthetic,
        summary_path=snakemake.output.summary,
        train_labels_path=snakemake.output.train_labels,
        test_labels_path=snakemake.output.test_labels,
        train_groups_path=snakemake.output.train_groups,
        test_groups_path=snakemake.output.test_groups,
        audio_facts_path=snakemake.input.get("audio_facts"),
        audio_manifest_path=snakemake.input.get("audio_manifest"),
    )
