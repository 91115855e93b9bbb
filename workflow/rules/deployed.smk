"""What each network's bundle deploys, measured: the Keras, int8 LiteRT and
ONNX models scored on the test set side by side, and the complexity budget
counted on the exported int8 model."""


rule measure_deployed:
    """Score one network's exported Keras, int8 and ONNX models on the test set; count its int8 memory."""
    input:
        unpack(inputs_of("measure_deployed")),
    output:
        deployed=ensure("results/deployed/{model}.json", non_empty=True),
    log:
        "logs/measure_deployed/{model}.log",
    benchmark:
        "benchmarks/measure_deployed/{model}.tsv"
    wildcard_constraints:
        model=named(PLAN.roster.networks),
    priority: priority_of("measure_deployed")
    localrule: is_local("measure_deployed")
    conda:
        "../../environment.yml"
    threads: threads_of("measure_deployed")
    resources:
        **resources_of("measure_deployed"),
    params:
        complexity_limits=canonical(config["complexity_limits"]),
        settings_digest=per_model(PLAN.identity.model_digest),
        code=code_digest("ascflow.stages.deployed"),
    script:
        "../scripts/measure_deployed.py"
