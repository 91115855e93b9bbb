"""Parameters: closed-form counts checked against Keras, for the reference's
image networks and the CNN and LSTM on the data at hand."""


rule count_parameters:
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
    conda:
        "../../environment.yml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        cnn_conv_layers=canonical(config["cnn"]["conv_layers"]),
        cnn_pool_size=config["cnn"]["pool_size"],
        lstm_units=config["lstm"]["units"],
        lstm_kernel_initializer=config["lstm"]["kernel_initializer"],
    script:
        "../scripts/count_parameters.py"
