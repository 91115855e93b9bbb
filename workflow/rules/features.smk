"""Features: each layout a model reads, per split, as float32 .npy files."""


rule make_features:
    input:
        clips=lambda wildcards: get_data_files()[f"X_{wildcards.split}"],
        summary=rules.validate_data.output.summary,
    output:
        features="results/features/{layout}/{split}.npy",
    log:
        "logs/make_features/{layout}_{split}.log",
    benchmark:
        "benchmarks/make_features/{layout}_{split}.tsv"
    conda:
        "../../environment.yml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        standardize=config["features"]["standardize"],
        # Only the LSTM's layout depends on it: other layouts keep a fixed
        # value so that changing it re-runs the LSTM's features alone.
        time_major_method=lambda wildcards: (
            config["lstm"]["time_major"] if wildcards.layout == "time_major" else None
        ),
    script:
        "../scripts/make_features.py"
