"""Training: a random forest per tree count, the CNN and the LSTM (each
sweep variant a run of its own); the choice among variants on validation
data, and the refit of the chosen network on the whole training set."""


rule train_forest:
    """Fit one random forest (rf_<trees>) on the flattened training clips."""
    input:
        unpack(inputs_of("train_forest")),
    output:
        model="results/models/{model}.joblib",
        info="results/models/{model}.train.json",
    log:
        "logs/train_forest/{model}.log",
    benchmark:
        "benchmarks/train_forest/{model}.tsv"
    wildcard_constraints:
        model=named(PLAN.roster.forest_runs),
    priority: priority_of("train_forest")
    localrule: is_local("train_forest")
    conda:
        "../../environment.yml"
    threads: threads_of("train_forest")
    resources:
        **resources_of("train_forest"),
    params:
        settings=per_model(PLAN.identity.settings),
        seed=per_model(PLAN.roster.seed),
        standardize=config["features"]["standardize"],
        settings_digest=per_model(PLAN.identity.settings_digest),
        # A swept forest's held-out part, to rank its variants (else empty).
        validation=per_model(PLAN.identity.validation),
        code=code_digest("ascflow.stages.train:fit_forest_job"),
    script:
        "../scripts/train_forest.py"


rule train_network:
    """Train the CNN or the LSTM; a killed job resumes from its last epoch."""
    input:
        unpack(inputs_of("train_network")),
    output:
        model="results/models/{model}.keras",
        history="results/models/{model}.history.csv",
        info="results/models/{model}.train.json",
    log:
        "logs/train_network/{model}.log",
    benchmark:
        "benchmarks/train_network/{model}.tsv"
    wildcard_constraints:
        model=named(PLAN.roster.network_runs),
    priority: priority_of("train_network")
    localrule: is_local("train_network")
    conda:
        "../../environment.yml"
    threads: threads_of("train_network")
    resources:
        **resources_of("train_network"),
    params:
        settings=per_model(PLAN.identity.settings),
        validation=per_model(PLAN.identity.validation),
        seed=per_model(PLAN.roster.seed),
        standardize=config["features"]["standardize"],
        settings_digest=per_model(PLAN.identity.settings_digest),
        gpu=per_model(PLAN.identity.gpu_setting),
        tensorboard_dir="results/tensorboard/{model}" if config["tensorboard"] else "",
        # Per-epoch checkpoints (weights, optimizer, history), written by
        # rename; a retried or re-run job resumes from the last one.
        work_dir="results/resume/{model}",
        code=code_digest("ascflow.stages.train:fit_network_job"),
    script:
        "../scripts/train_network.py"


rule cross_validate:
    """Train one model on every fold of the training set but one, and score it on that fold (cv.folds)."""
    input:
        unpack(inputs_of("cross_validate")),
    output:
        fold="results/cv/{model}/fold{fold}.json",
    log:
        "logs/cross_validate/{model}_fold{fold}.log",
    benchmark:
        "benchmarks/cross_validate/{model}_fold{fold}.tsv"
    wildcard_constraints:
        model=named(PLAN.roster.training_runs),
        fold=r"\d+",
    localrule: is_local("cross_validate")
    conda:
        "../../environment.yml"
    threads: threads_of("cross_validate")
    resources:
        **resources_of("cross_validate"),
    params:
        # A network's validation curve, where the refit's epochs are chosen on the folds.
        **fold_curve_params(),
        n_folds=config["cv"]["folds"],
        settings=per_model(PLAN.identity.settings),
        validation=per_model(PLAN.identity.validation),
        seed=per_model(PLAN.roster.seed),
        gpu=per_model(PLAN.identity.gpu_setting),
        work_dir="results/resume/{model}-fold{fold}",
        # Each fold standardizes with its own training part's statistics.
        standardize=config["features"]["standardize"],
        time_major=config["lstm"]["time_major"],
        code=code_digest("ascflow.stages.crossval:fit_fold_job"),
    script:
        "../scripts/cross_validate.py"


rule select_variant:
    """Rank a model's sweep variants by validation accuracy (held-out part or cv folds) and keep the best."""
    input:
        unpack(inputs_of("select_variant")),
    output:
        selection="results/sweep/{model}.json",
    log:
        "logs/select_variant/{model}.log",
    benchmark:
        "benchmarks/select_variant/{model}.tsv"
    wildcard_constraints:
        model=named(PLAN.roster.swept_models),
    localrule: is_local("select_variant")
    conda:
        "../../environment.yml"
    threads: threads_of("select_variant")
    resources:
        **resources_of("select_variant"),
    params:
        variants=per_model(PLAN.identity.variant_settings),
        settings_digest=per_model(PLAN.identity.model_digest),
        code=code_digest("ascflow.stages.sweep:select_variant_job"),
    script:
        "../scripts/select_variant.py"


rule choose_epochs:
    """Choose the refit's epochs: the held-out part's best, or the best of the mean validation curve over the cv folds."""
    input:
        unpack(inputs_of("choose_epochs")),
    output:
        choice="results/cv/{model}/epochs.json",
    log:
        "logs/choose_epochs/{model}.log",
    benchmark:
        "benchmarks/choose_epochs/{model}.tsv"
    wildcard_constraints:
        model=named(PLAN.roster.epoch_chosen_models),
    localrule: is_local("choose_epochs")
    conda:
        "../../environment.yml"
    threads: threads_of("choose_epochs")
    resources:
        **resources_of("choose_epochs"),
    params:
        seed=per_model(PLAN.roster.seed),
        validation=canonical(config["validation"]),
        choose_epochs_on=config["cv"]["choose_epochs_on"],
        min_holdout_clips=config["cv"]["min_holdout_clips"],
        code=code_digest("ascflow.stages.sweep:choose_epochs_job"),
    script:
        "../scripts/choose_epochs.py"


rule refit_network:
    """Train the chosen network once more on the whole training set, for the epochs validation chose."""
    input:
        unpack(inputs_of("refit_network")),
    output:
        model="results/refit/{model}.keras",
        history="results/refit/{model}.history.csv",
        info="results/refit/{model}.train.json",
    log:
        "logs/refit_network/{model}.log",
    benchmark:
        "benchmarks/refit_network/{model}.tsv"
    wildcard_constraints:
        model=named(PLAN.roster.refit_models),
    priority: priority_of("refit_network")
    localrule: is_local("refit_network")
    conda:
        "../../environment.yml"
    threads: threads_of("refit_network")
    resources:
        **resources_of("refit_network"),
    params:
        # The settings come from the chosen run's facts; these make a change
        # of any variant's settings re-run the refit.
        variants=per_model(PLAN.identity.variant_settings),
        seed=per_model(PLAN.roster.seed),
        standardize=config["features"]["standardize"],
        settings_digest=per_model(PLAN.identity.model_digest),
        gpu=per_model(PLAN.identity.gpu_setting),
        work_dir="results/resume/{model}-refit",
        code=code_digest("ascflow.stages.train:refit_network_job"),
    script:
        "../scripts/refit_network.py"
