"""Training: a random forest per tree count, the CNN and the LSTM."""


rule train_forest:
    """Fit one random forest (rf_<trees>) on the flattened training clips."""
    input:
        features=get_features("flat", "train"),
        labels=rules.validate_data.output.train_labels,
        summary=rules.validate_data.output.summary,
    output:
        model="results/models/{model}.joblib",
        info="results/models/{model}.train.json",
    log:
        "logs/train_forest/{model}.log",
    benchmark:
        "benchmarks/train_forest/{model}.tsv"
    wildcard_constraints:
        model=FOREST_PATTERN,
    priority: get_training_priority
    conda:
        "../../environment.yml"
    threads: get_training_threads
    resources:
        mem_mb=get_training_memory,
        runtime=30,
    params:
        settings=get_model_settings,
        seed=get_model_seed,
        standardize=config["features"]["standardize"],
        settings_digest=get_settings_digest,
        code=code_digest("ascflow.stages.train:fit_forest_job"),
    script:
        "../scripts/train_forest.py"


rule train_network:
    """Train the CNN or the LSTM; a killed job resumes from its last epoch."""
    input:
        unpack(get_network_training_inputs),
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
    priority: get_training_priority
    conda:
        "../../environment.yml"
    threads: get_training_threads
    # 50 reference-size CNN epochs take about 16 minutes on two cores.
    resources:
        mem_mb=get_training_memory,
        runtime=120,
        gpu=get_gpu_request,
    params:
        settings=get_model_settings,
        validation=canonical(config["validation"]),
        seed=get_model_seed,
        standardize=config["features"]["standardize"],
        settings_digest=get_settings_digest,
        gpu=get_gpu_setting,
        tensorboard_dir=get_tensorboard_dir,
        # Per-epoch checkpoints (weights, optimizer, history), written by
        # rename; a retried or re-run job resumes from the last one.
        work_dir=get_resume_dir,
        code=code_digest("ascflow.stages.train:fit_network_job"),
    script:
        "../scripts/train_network.py"


rule cross_validate:
    """Train one model on every fold of the training set but one, and score it on that fold (cv.folds)."""
    input:
        unpack(get_fold_inputs),
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
    threads: get_training_threads
    resources:
        mem_mb=get_training_memory,
        runtime=120,
        gpu=get_gpu_request,
    params:
        n_folds=config["cv"]["folds"],
        settings=get_model_settings,
        validation=get_fold_validation,
        seed=get_model_seed,
        gpu=get_gpu_setting,
        work_dir=get_fold_resume_dir,
        code=code_digest("ascflow.stages.train:fit_fold_job"),
    script:
        "../scripts/cross_validate.py"
