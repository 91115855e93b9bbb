"""Features: each layout a model reads, per split, as float32 .npy files."""


rule make_features:
    """Rearrange one split's clips into one model's layout (flat, channel, time_major)."""
    input:
        clips=get_clips,
        summary=rules.validate_data.output.summary,
    output:
        features="results/features/{layout}/{split}.npy",
    log:
        "logs/make_features/{layout}_{split}.log",
    benchmark:
        "benchmarks/make_features/{layout}_{split}.tsv"
    priority: get_feature_priority
    conda:
        "../../environment.yml"
    # The CNN's training features may ask for every core, as a barrier that
    # lets the CNN start first (ascflow.threads.ThreadPlan.features).
    threads: get_feature_threads
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        standardize=config["features"]["standardize"],
        time_major=get_time_major,
        code=code_digest("ascflow.stages.features:make_features"),
    script:
        "../scripts/make_features.py"
