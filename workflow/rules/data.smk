"""Data: the built-in synthetic set (when no data_dir is given) and validation."""


rule generate_default_data:
    """Write the built-in synthetic scenes (used when data_dir is empty)."""
    output:
        **{
            stem: f"{DEFAULT_DATA_DIR}/{stem}.npy"
            for stem in (
                "X_train",
                "y_train",
                "X_test",
                "y_test",
                "groups_train",
                "groups_test",
            )
        },
        classes=f"{DEFAULT_DATA_DIR}/classes.txt",
    log:
        "logs/generate_default_data.log",
    benchmark:
        "benchmarks/generate_default_data.tsv"
    localrule: is_local("generate_default_data")
    conda:
        "../../environment.yml"
    threads: threads_of("generate_default_data")
    resources:
        **resources_of("generate_default_data"),
    params:
        settings=canonical(config["default_data"]),
        seed=config["seed"],
        code=code_digest("ascflow.stages.data:generate_data"),
    script:
        "../scripts/generate_default_data.py"


rule validate_data:
    """Check the data folder; write its summary (shapes, classes, digests) and labels."""
    input:
        unpack(get_data_files),
    output:
        summary="results/data/summary.json",
        train_labels="results/data/labels_train.npy",
        test_labels="results/data/labels_test.npy",
        train_groups="results/data/groups_train.npy",
        test_groups="results/data/groups_test.npy",
        # Each clip's recording device (empty names where the data has none).
        train_devices="results/data/devices_train.npy",
        test_devices="results/data/devices_test.npy",
    log:
        "logs/validate_data.log",
    benchmark:
        "benchmarks/validate_data.tsv"
    localrule: is_local("validate_data")
    conda:
        "../../environment.yml"
    threads: threads_of("validate_data")
    resources:
        **resources_of("validate_data"),
    params:
        class_names=config["class_names"],
        leakage=config["leakage"],
        data_dir=PLAN.data.data_dir,
        synthetic=PLAN.data.source == "synthetic",
        # The data files' content: replaced, even with an older mtime, they
        # are validated again; moved or copied with the project, they are not.
        data_digests=get_data_digests(),
        code=code_digest("ascflow.stages.data:validate_data"),
    script:
        "../scripts/validate_data.py"
