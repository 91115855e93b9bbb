"""Training: a random forest per tree count, the CNN and the LSTM."""


rule train_forest:
    input:
        features=get_features("flat", "train"),
        labels=rules.validate_data.output.train_labels,
    output:
        model="results/models/{model}.joblib",
        info="results/models/{model}.train.json",
    log:
        "logs/train_forest/{model}.log",
    benchmark:
        "benchmarks/train_forest/{model}.tsv"
    wildcard_constraints:
        model=FOREST_PATTERN,
    conda:
        "../../environment.yml"
    threads: TRAIN_THREADS
    # Measured peak RSS: 300 MB at the default size, mostly pages of the
    # memory-mapped features (docs/performance.md); the reference size
    # triples the data.
    resources:
        mem_mb=2000,
        runtime=30,
    params:
        n_estimators=lambda wildcards: parse_model_name(wildcards.model).trees,
        max_features=config["rf"]["max_features"],
        min_samples_leaf=config["rf"]["min_samples_leaf"],
        seed=get_model_seed,
        standardize=config["features"]["standardize"],
    script:
        "../scripts/train_forest.py"


rule train_network:
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
    conda:
        "../../environment.yml"
    threads: TRAIN_THREADS
    # Measured peak RSS: 1.4 GB at the default size, 1.8 GB at the reference
    # size (docs/performance.md); 50 reference-size CNN epochs take about
    # 16 minutes on two cores.
    resources:
        mem_mb=3000,
        runtime=120,
    params:
        hyperparameters=get_network_hyperparameters,
        validation=canonical(config["validation"]),
        seed=get_model_seed,
        standardize=config["features"]["standardize"],
        # Keras's BackupAndRestore state: a killed job resumes from it.
        work_dir=lambda wildcards: f"results/resume/{wildcards.model}",
    script:
        "../scripts/train_network.py"
