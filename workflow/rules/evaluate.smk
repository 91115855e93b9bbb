"""Evaluation: each model once on the test set, then one table of all."""


rule evaluate_model:
    """Score one trained model on the test set: accuracy with its interval, F1, recall, confusions."""
    input:
        unpack(inputs_of("evaluate_model")),
    output:
        metrics=ensure("results/metrics/{model}.json", non_empty=True),
        probabilities="results/predictions/{model}.npy",
    log:
        "logs/evaluate_model/{model}.log",
    benchmark:
        "benchmarks/evaluate_model/{model}.tsv"
    wildcard_constraints:
        model=named(PLAN.roster.models),
    priority: priority_of("evaluate_model")
    localrule: is_local("evaluate_model")
    conda:
        "../../environment.yml"
    threads: threads_of("evaluate_model")
    resources:
        **resources_of("evaluate_model"),
    params:
        gpu=per_model(PLAN.identity.gpu_setting),
        code=code_digest("ascflow.stages.evaluate:evaluate_job"),
    script:
        "../scripts/evaluate_model.py"


rule summarize_metrics:
    """One table of every model run (summary.tsv) and the means over seeds (aggregate.tsv)."""
    input:
        metrics=expand(rules.evaluate_model.output.metrics, model=PLAN.roster.models),
    output:
        summary="results/metrics/summary.tsv",
        aggregate="results/metrics/aggregate.tsv",
    log:
        "logs/summarize_metrics.log",
    benchmark:
        "benchmarks/summarize_metrics.tsv"
    localrule: is_local("summarize_metrics")
    conda:
        "../../environment.yml"
    threads: threads_of("summarize_metrics")
    resources:
        **resources_of("summarize_metrics"),
    params:
        code=code_digest("ascflow.stages.evaluate:summarize_metrics"),
    script:
        "../scripts/summarize_metrics.py"


rule compare_models:
    """Paired tests of every two models on the same test clips: McNemar's exact test, Holm-adjusted."""
    input:
        probabilities=expand(
            rules.evaluate_model.output.probabilities, model=PLAN.roster.models
        ),
        labels=rules.validate_data.output.test_labels,
    output:
        comparisons="results/comparisons/models.json",
    log:
        "logs/compare_models.log",
    benchmark:
        "benchmarks/compare_models.tsv"
    localrule: is_local("compare_models")
    conda:
        "../../environment.yml"
    threads: threads_of("compare_models")
    resources:
        **resources_of("compare_models"),
    params:
        code=code_digest("ascflow.stages.evaluate:compare_models"),
    script:
        "../scripts/compare_models.py"


rule summarize_folds:
    """One table of every model's fold scores (results/cv/folds.tsv)."""
    input:
        folds=expand(
            rules.cross_validate.output.fold,
            model=PLAN.roster.training_runs,
            fold=PLAN.roster.folds,
        ),
    output:
        folds="results/cv/folds.tsv",
    log:
        "logs/summarize_folds.log",
    benchmark:
        "benchmarks/summarize_folds.tsv"
    localrule: is_local("summarize_folds")
    conda:
        "../../environment.yml"
    threads: threads_of("summarize_folds")
    resources:
        **resources_of("summarize_folds"),
    params:
        code=code_digest("ascflow.stages.evaluate:summarize_folds"),
    script:
        "../scripts/summarize_folds.py"
