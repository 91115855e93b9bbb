"""Audio: recordings in the DCASE layout (audio_dir) to log-mel arrays, one job
per chunk of files, gathered into the data folder validate_data reads."""


rule generate_example_audio:
    """Write the example recordings (example_audio.write): scene-like WAV files in the DCASE layout."""
    output:
        audio=directory(f"{EXAMPLE_AUDIO_DIR}/audio"),
        meta=f"{EXAMPLE_AUDIO_DIR}/meta.csv",
        split=f"{EXAMPLE_AUDIO_DIR}/split.csv",
    log:
        "logs/generate_example_audio.log",
    benchmark:
        "benchmarks/generate_example_audio.tsv"
    localrule: is_local("generate_example_audio")
    conda:
        "../../environment.yml"
    threads: threads_of("generate_example_audio")
    resources:
        **resources_of("generate_example_audio"),
    params:
        settings=PLAN.data.example_audio_settings,
        seed=config["seed"],
        code=code_digest("ascflow.stages.audio:write_example_audio"),
    script:
        "../scripts/generate_example_audio.py"


checkpoint list_audio:
    """List audio_dir's recordings from meta.csv and the split, in chunks of files."""
    input:
        unpack(get_audio_layout_files),
    output:
        manifest="results/audio/manifest.json",
    log:
        "logs/list_audio.log",
    benchmark:
        "benchmarks/list_audio.tsv"
    localrule: is_local("list_audio")
    conda:
        "../../environment.yml"
    threads: threads_of("list_audio")
    resources:
        **resources_of("list_audio"),
    params:
        audio_dir=config["audio_dir"],
        chunk_files=config["audio"]["chunk_files"],
        audio_checks=config["audio_checks"],
        # Adding or removing a recording in audio/ lists the folder again.
        listing=disk.audio_listing(PLAN),
        code=code_digest("ascflow.stages.audio:list_audio"),
    script:
        "../scripts/list_audio.py"


rule extract_audio_chunk:
    """Compute the log mel-band energies of one chunk of recordings."""
    input:
        audio=get_audio_chunk_files,
    output:
        chunk="results/audio/chunks/{chunk}.npz",
    log:
        "logs/extract_audio_chunk/{chunk}.log",
    benchmark:
        "benchmarks/extract_audio_chunk/{chunk}.tsv"
    localrule: is_local("extract_audio_chunk")
    conda:
        "../../environment.yml"
    threads: threads_of("extract_audio_chunk")
    resources:
        **resources_of("extract_audio_chunk"),
    params:
        settings=PLAN.data.audio_settings,
        # A recording replaced, even with an older mtime, re-extracts its chunk.
        recordings=get_audio_chunk_digests,
        code=code_digest("ascflow.stages.audio:extract_chunk"),
    script:
        "../scripts/extract_audio_chunk.py"


rule gather_audio_features:
    """Gather the chunks in file order into X/y/groups/devices arrays and classes.txt."""
    input:
        manifest=rules.list_audio.output.manifest,
        chunks=get_audio_chunks,
    output:
        **{
            stem: f"{AUDIO_DATA_DIR}/{stem}.npy"
            for stem in ("X_train", "y_train", "groups_train", "devices_train")
            + ("X_test", "y_test", "groups_test", "devices_test")
        },
        classes=f"{AUDIO_DATA_DIR}/classes.txt",
        facts="results/audio/extraction.json",
    log:
        "logs/gather_audio_features.log",
    benchmark:
        "benchmarks/gather_audio_features.tsv"
    localrule: is_local("gather_audio_features")
    conda:
        "../../environment.yml"
    threads: threads_of("gather_audio_features")
    resources:
        **resources_of("gather_audio_features"),
    params:
        audio_checks=config["audio_checks"],
        settings=PLAN.data.audio_settings,
        code=code_digest("ascflow.stages.audio:gather_features"),
    script:
        "../scripts/gather_audio_features.py"
