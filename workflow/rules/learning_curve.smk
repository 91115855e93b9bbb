"""Learning curves (data_fractions): nested subsets of the training set, every
model trained on each as jobs of their own, and one table and figure."""


rule make_subset:
    """Write one fraction's clip list: whole recordings, class shares kept, inside every larger fraction's."""
    input:
        labels=rules.validate_data.output.train_labels,
        groups=rules.validate_data.output.train_groups,
        # Each clip's device (empty names where the data has none): kept mixed.
        devices=rules.validate_data.output.train_devices,
    output:
        subset="results/subsets/train_{fraction}.txt",
    log:
        "logs/make_subset/{fraction}.log",
    benchmark:
        "benchmarks/make_subset/{fraction}.tsv"
    wildcard_constraints:
        fraction=named(PLAN.roster.fractions),
    localrule: is_local("make_subset")
    conda:
        "../../environment.yml"
    threads: threads_of("make_subset")
    resources:
        **resources_of("make_subset"),
    params:
        seed=config["seed"],
        code=code_digest("ascflow.stages.learning_curve:make_subset_job"),
    script:
        "../scripts/make_subset.py"


rule fit_subset:
    """Train one model on one subset as the run trains it on the whole training set; score it on the test set."""
    input:
        unpack(get_subset_inputs),
    output:
        scores="results/subsets/{fraction}/{model}.json",
    log:
        "logs/fit_subset/{fraction}/{model}.log",
    benchmark:
        "benchmarks/fit_subset/{fraction}/{model}.tsv"
    wildcard_constraints:
        model=named(PLAN.roster.subset_models),
        fraction=named(PLAN.roster.fractions),
    localrule: is_local("fit_subset")
    conda:
        "../../environment.yml"
    threads: threads_of("fit_subset")
    resources:
        **resources_of("fit_subset"),
    params:
        settings=per_model(PLAN.identity.settings),
        validation=per_model(PLAN.identity.validation),
        seed=per_model(PLAN.roster.seed),
        standardize=config["features"]["standardize"],
        settings_digest=per_model(PLAN.identity.settings_digest),
        gpu=per_model(PLAN.identity.gpu_setting),
        refit=per_model(PLAN.roster.refits),
        time_major=config["lstm"]["time_major"],
        work_dir="results/resume/{model}-subset{fraction}",
        code=code_digest("ascflow.stages.learning_curve:fit_subset_job"),
    script:
        "../scripts/fit_subset.py"


rule summarize_learning_curve:
    """One table (results/learning_curve.tsv) and figure of test accuracy against training clips."""
    input:
        unpack(get_learning_curve_inputs),
    output:
        table="results/learning_curve.tsv",
        figure=report(
            "reports/figures/learning_curve.png",
            caption="../report/learning_curve.rst",
            category="Learning curve",
        ),
    log:
        "logs/summarize_learning_curve.log",
    benchmark:
        "benchmarks/summarize_learning_curve.tsv"
    localrule: is_local("summarize_learning_curve")
    conda:
        "../../environment.yml"
    threads: threads_of("summarize_learning_curve")
    resources:
        **resources_of("summarize_learning_curve"),
    params:
        code=code_digest("ascflow.stages.learning_curve:summarize_learning_curve"),
    script:
        "../scripts/summarize_learning_curve.py"
