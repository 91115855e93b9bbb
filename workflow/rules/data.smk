"""Data: the built-in synthetic set (when no data_dir is given) and validation."""


rule generate_default_data:
    output:
        **{
            stem: f"{DEFAULT_DATA_DIR}/{stem}.npy"
            for stem in ("X_train", "y_train", "X_test", "y_test")
        },
        classes=f"{DEFAULT_DATA_DIR}/classes.txt",
    log:
        "logs/generate_default_data.log",
    benchmark:
        "benchmarks/generate_default_data.tsv"
    conda:
        "../../environment.yml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        **config["default_data"],
        seed=config["seed"],
    script:
        "../scripts/generate_default_data.py"


rule validate_data:
    input:
        unpack(lambda wildcards: get_data_files()),
    output:
        summary="results/data/summary.json",
        train_labels="results/data/labels_train.npy",
        test_labels="results/data/labels_test.npy",
    log:
        "logs/validate_data.log",
    benchmark:
        "benchmarks/validate_data.tsv"
    conda:
        "../../environment.yml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        class_names=config["class_names"],
        leakage=config["leakage"],
        data_dir=get_data_dir(),
        synthetic=uses_default_data(),
    script:
        "../scripts/validate_data.py"
