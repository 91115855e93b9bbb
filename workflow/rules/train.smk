"""Training: a random forest per tree count, the CNN and the LSTM."""


rule train_forest:
    """Fit one random forest (rf_<trees>) on the flattened training clips."""
    input:
        features=get_features("flat", "train"),
        labels=rules.validate_data.output.train_labels,
        summary=rules.validate_data.output.summary,
        code=code_files("ascflow.stages.train:fit_forest_job"),
    output:
        model="results/models/{model}.joblib",
        info="results/models/{model}.train.json",
    log:
        "logs/train_forest/{model}.log",
    benchmark:
        "benchmarks/train_forest/{model}.tsv"
    wildcard_constraints:
        model=FOREST_PATTERN,
    priority: priority_of("train_forest")
    conda:
        "../../environment.yml"
    threads: threads_of("train_forest")
    resources:
        **resources_of("train_forest"),
    params:
        settings=get_model_settings,
        seed=get_model_seed,
        standardize=config["features"]["standardize"],
        settings_digest=get_settings_digest,
    script:
        "../scripts/train_forest.py"


rule train_network:
    """Train the CNN or the LSTM; a killed job resumes from its last epoch."""
    input:
        unpack(get_training_inputs),
        code=code_files("ascflow.stages.train:fit_network_job"),
    output:
        model="results/models/{model}.keras",
        history="results/models/{model}.history.csv",
        info="results/models/{model}.train.json",
    log:
        "logs/train_network/{model}.log",
    benchmark:
        "benchmarks/train_network/{model}.tsv"
    wildcard_constraints:
        model=NETWORK_PATTERN,
    priority: priority_of("train_network")
    conda:
        "../../environment.yml"
    threads: threads_of("train_network")
    resources:
        **resources_of("train_network"),
    params:
        settings=get_model_settings,
        validation=get_validation,
        seed=get_model_seed,
        standardize=config["features"]["standardize"],
        settings_digest=get_settings_digest,
        gpu=get_gpu_setting,
        tensorboard_dir=get_tensorboard_dir,
        # Per-epoch checkpoints (weights, optimizer, history), written by
        # rename; a retried or re-run job resumes from the last one.
        work_dir=get_resume_dir,
    script:
        "../scripts/train_network.py"


rule cross_validate:
    """Train one model on every fold of the training set but one, and score it on that fold (cv.folds)."""
    input:
        unpack(get_fold_inputs),
        code=code_files("ascflow.stages.train:fit_fold_job"),
    output:
        fold="results/cv/{model}/fold{fold}.json",
    log:
        "logs/cross_validate/{model}_fold{fold}.log",
    benchmark:
        "benchmarks/cross_validate/{model}_fold{fold}.tsv"
    wildcard_constraints:
        fold=r"\d+",
    conda:
        "../../environment.yml"
    threads: threads_of("cross_validate")
    resources:
        **resources_of("cross_validate"),
    params:
        n_folds=config["cv"]["folds"],
        settings=get_model_settings,
        validation=get_validation,
        seed=get_model_seed,
        gpu=get_gpu_setting,
        work_dir=get_fold_resume_dir,
    script:
        "../scripts/cross_validate.py"
