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
    priority: priority_of("make_features")
    localrule: is_local("make_features")
    conda:
        "../../environment.yml"
    threads: threads_of("make_features")
    resources:
        **resources_of("make_features"),
    params:
        standardize=config["features"]["standardize"],
        time_major=get_time_major,
        code=code_digest("ascflow.stages.features:make_features"),
    script:
        "../scripts/make_features.py"
