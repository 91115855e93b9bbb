"""Evaluation: each model once on the test set, then one table of all."""


rule evaluate_model:
    input:
        unpack(get_evaluation_inputs),
    output:
        metrics=ensure("results/metrics/{model}.json", non_empty=True),
        probabilities="results/predictions/{model}.npy",
    log:
        "logs/evaluate_model/{model}.log",
    benchmark:
        "benchmarks/evaluate_model/{model}.tsv"
    conda:
        "../../environment.yml"
    threads: TRAIN_THREADS
    # Measured peak RSS: 1.1 GB (CNN) at the default size, 1.3 GB at the
    # reference size.
    resources:
        mem_mb=2000,
        runtime=20,
    script:
        "../scripts/evaluate_model.py"


rule summarize_metrics:
    input:
        metrics=expand(rules.evaluate_model.output.metrics, model=get_model_names()),
    output:
        summary="results/metrics/summary.tsv",
        aggregate="results/metrics/aggregate.tsv",
    log:
        "logs/summarize_metrics.log",
    conda:
        "../../environment.yml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    script:
        "../scripts/summarize_metrics.py"
