"""Parameter counts: closed form checked against Keras, for the reference's
image networks and the CNN and LSTM on the data at hand."""


rule count_parameters:
    """Count every network's parameters in closed form and by Keras; stop on any disagreement."""
    input:
        # The CNN's and LSTM's input sizes and classes are the data's.
        summary=rules.validate_data.output.summary,
    output:
        **{network: f"results/params/{network}.tsv" for network in COUNTED_NETWORKS},
        counts="results/params/params.json",
    log:
        "logs/count_parameters.log",
    benchmark:
        "benchmarks/count_parameters.tsv"
    localrule: is_local("count_parameters")
    conda:
        "../../environment.yml"
    threads: threads_of("count_parameters")
    resources:
        **resources_of("count_parameters"),
    params:
        cnn=PLAN.identity.architecture("cnn"),
        lstm=PLAN.identity.architecture("lstm"),
        complexity_limits=canonical(config["complexity_limits"]),
        code=code_digest("ascflow.stages.count"),
    script:
        "../scripts/count_parameters.py"
