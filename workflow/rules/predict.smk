"""Using the trained models: each exported as a bundle that travels, and the
recordings (or clips) of predict_dir classified by every one of them."""


rule export_model:
    """Export one trained model as a bundle: the model (and a network's int8 LiteRT and ONNX models), its feature settings, statistics and class names."""
    input:
        unpack(inputs_of("export_model")),
        # A network's training clips, which calibrate its int8 LiteRT model.
        train_features=get_export_features,
    output:
        bundle=directory("results/export/{model}"),
    log:
        "logs/export_model/{model}.log",
    benchmark:
        "benchmarks/export_model/{model}.tsv"
    wildcard_constraints:
        model=named(PLAN.roster.models),
    priority: priority_of("export_model")
    localrule: is_local("export_model")
    conda:
        "../../environment.yml"
    threads: threads_of("export_model")
    resources:
        **resources_of("export_model"),
    params:
        representative_clips=config["export"]["representative_clips"],
        seed=config["seed"],
        code=code_digest("ascflow.stages.export:export_job"),
    script:
        "../scripts/export_model.py"


checkpoint list_predict_recordings:
    """List the recordings below predict_dir, in chunks of files."""
    output:
        manifest="results/predict/recordings.json",
    log:
        "logs/list_predict_recordings.log",
    benchmark:
        "benchmarks/list_predict_recordings.tsv"
    localrule: is_local("list_predict_recordings")
    conda:
        "../../environment.yml"
    threads: threads_of("list_predict_recordings")
    resources:
        **resources_of("list_predict_recordings"),
    params:
        predict_dir=config["predict_dir"],
        chunk_files=config["audio"]["chunk_files"],
        # Adding or removing a recording lists the folder again.
        listing=disk.predict_listing(PLAN),
        code=code_digest("ascflow.stages.predict:list_recordings"),
    script:
        "../scripts/list_predict_recordings.py"


rule extract_predict_chunk:
    """Compute the log mel-band energies of one chunk of new recordings, with a bundle's settings."""
    input:
        audio=get_predict_chunk_files,
        bundle=get_extraction_bundle,
    output:
        chunk="results/predict/chunks/{chunk}.npz",
    log:
        "logs/extract_predict_chunk/{chunk}.log",
    benchmark:
        "benchmarks/extract_predict_chunk/{chunk}.tsv"
    localrule: is_local("extract_predict_chunk")
    conda:
        "../../environment.yml"
    threads: threads_of("extract_predict_chunk")
    resources:
        **resources_of("extract_predict_chunk"),
    params:
        # A recording replaced, even with an older mtime, re-extracts its chunk.
        recordings=get_predict_chunk_digests,
        code=code_digest("ascflow.stages.predict:extract_chunk"),
    script:
        "../scripts/extract_predict_chunk.py"


rule predict_model:
    """Classify predict_dir with one model's bundle: the table, and its scores where meta.csv labels the files."""
    input:
        unpack(get_prediction_inputs),
    output:
        # Updated, not replaced: a prediction that stops for any reason
        # leaves the last good tables as they were (Snakemake restores them).
        table=update("results/predict/{model}.tsv"),
        facts=ensure(update("results/predict/{model}.json"), non_empty=True),
    log:
        "logs/predict_model/{model}.log",
    benchmark:
        "benchmarks/predict_model/{model}.tsv"
    wildcard_constraints:
        model=named(PLAN.roster.models),
    localrule: is_local("predict_model")
    conda:
        "../../environment.yml"
    threads: threads_of("predict_model")
    resources:
        **resources_of("predict_model"),
    params:
        predict_dir=config["predict_dir"],
        gpu=per_model(PLAN.identity.gpu_setting),
        # A network's runtime (predict_runtime); a forest runs from its own file.
        runtime=get_predict_runtime,
        # An X.npy replaced, even with an older mtime, is classified again.
        clips=get_prediction_clips_digest,
        code=code_digest("ascflow.stages.predict:predict_job"),
    script:
        "../scripts/predict_model.py"


rule predict:
    """Classify predict_dir with every trained model (training only those missing) and report the scores."""
    input:
        get_predict_targets,
