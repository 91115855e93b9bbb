"""Rule count_parameters: every network's counts, closed form against Keras."""

from ascflow.runner import rule_logging

with rule_logging(snakemake.log[0]) as log:
    import json

    from ascflow.param_check import parameter_report, write_table
    from ascflow.runner import write_json_atomic

    params = snakemake.params
    summary = json.loads(open(snakemake.input.summary).read())
    report = parameter_report(
        summary["n_features"],
        summary["n_frames"],
        summary["n_classes"],
        cnn_conv_layers=params.cnn_conv_layers,
        cnn_pool_size=params.cnn_pool_size,
        lstm_units=params.lstm_units,
        lstm_kernel_initializer=params.lstm_kernel_initializer,
    )
    for network, counts in report["networks"].items():
        write_table(counts["layers"], snakemake.output[network])
        log.info("%s: %d parameters, closed form == Keras", network, counts["total_keras"])
    write_json_atomic(snakemake.output.counts, report)
