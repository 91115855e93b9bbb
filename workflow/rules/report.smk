"""Report: the figures, reports/report.md and reports/report.pdf, and the
results Snakemake's HTML report (`snakemake --report`) shows."""


rule render_report:
    """Draw the figures and write reports/report.md and reports/report.pdf, in one process."""
    input:
        data_summary=rules.validate_data.output.summary,
        metrics=expand(rules.evaluate_model.output.metrics, model=PLAN.roster.models),
        summary_table=rules.summarize_metrics.output.summary,
        aggregate_table=rules.summarize_metrics.output.aggregate,
        histories=expand(
            rules.train_network.output.history, model=PLAN.roster.network_runs
        ),
        parameters=rules.count_parameters.output.counts,
        # Each network as deployed: its runtimes' scores and measured budget.
        deployed=expand(
            rules.measure_deployed.output.deployed, model=PLAN.roster.networks
        ),
        comparisons=rules.compare_models.output.comparisons,
        folds=get_fold_table(),
        # With data_fractions: results/learning_curve.tsv and its figure.
        learning_curve=get_learning_curve_files(),
        # How each refit's epochs were chosen, where rule choose_epochs chose them.
        epoch_choices=expand(
            rules.choose_epochs.output.choice, model=PLAN.roster.epoch_chosen_models
        ),
        selections=expand(
            rules.select_variant.output.selection, model=PLAN.roster.swept_models
        ),
        audio_manifest=lambda wildcards: listing(
            checkpoints.list_audio, PLAN.data.source == "audio"
        ),
        # The predictions of predict_dir's files, when it is set.
        predictions=path_of(PLAN.prediction.files("facts")),
        predict_listing=lambda wildcards: listing(
            checkpoints.list_predict_recordings, PLAN.prediction.reads_recordings
        ),
        # The training labels and groups: how many clips the networks'
        # validation accuracy counts (the split training made, made again).
        train_labels=rules.validate_data.output.train_labels,
        train_groups=rules.validate_data.output.train_groups,
        # Each model's test predictions and the labels: this run paired clip
        # by clip with the previous one (McNemar's test).
        probabilities=expand(
            rules.evaluate_model.output.probabilities, model=PLAN.roster.models
        ),
        test_labels=rules.validate_data.output.test_labels,
    output:
        **get_figure_outputs(),
        markdown=ensure("reports/report.md", non_empty=True),
        pdf=report(
            ensure("reports/report.pdf", non_empty=True),
            caption="../report/report.rst",
            category="Report",
        ),
    log:
        "logs/render_report.log",
    benchmark:
        "benchmarks/render_report.tsv"
    localrule: is_local("render_report")
    conda:
        "../../environment.yml"
    threads: threads_of("render_report")
    resources:
        **resources_of("render_report"),
    params:
        # The whole validated config, printed in the report: any change to
        # it re-runs the report.
        config=canonical(config),
        # What each model's metrics must record, or the report refuses to
        # mix them.
        settings_digests=PLAN.identity.settings_digests,
        # Read for the time and memory table, not declared as inputs: the
        # benchmark files are not outputs Snakemake can plan for, and every
        # job whose timing matters has finished before the report runs, as
        # the report's inputs come from them. This config's jobs only.
        benchmarks=get_benchmark_files,
        # The history of runs, read for the comparison with the runs before
        # this one (record_run then adds this one): not an input, which would
        # re-run the report each time record_run updates the ledger.
        ledger=HISTORY_LEDGER,
        code=code_digest("ascflow.stages.report:render_report"),
    script:
        "../scripts/render_report.py"


rule record_run:
    """Append this run's models to the history of runs (history/runs.tsv), once per run."""
    input:
        metrics=expand(rules.evaluate_model.output.metrics, model=PLAN.roster.models),
        # A run is on record once its report is written; the report compares
        # with the runs recorded before it.
        markdown=rules.render_report.output.markdown,
        # Kept beside the ledger (history/predictions/<run>/<model>.npy, the
        # predicted classes): the next run's report pairs them clip by clip.
        predictions=expand(
            rules.evaluate_model.output.probabilities, model=PLAN.roster.models
        ),
    output:
        # Updated in place, not replaced: Snakemake keeps the earlier runs'
        # rows (and puts them back should the job fail).
        ledger=update(HISTORY_LEDGER),
        # The config that made results/: a report regenerated with another
        # one stops and names this file (common.smk, check_results_config).
        config=RECORDED_CONFIG,
    log:
        "logs/record_run.log",
    benchmark:
        "benchmarks/record_run.tsv"
    localrule: is_local("record_run")
    conda:
        "../../environment.yml"
    threads: threads_of("record_run")
    resources:
        **resources_of("record_run"),
    params:
        config=canonical(config),
        code=code_digest("ascflow.stages.history:record_run_job"),
    script:
        "../scripts/record_run.py"


rule track_run:
    """Log the run to MLflow (mlflow_tracking_uri): a run per model under one carrying the report."""
    input:
        metrics=expand(rules.evaluate_model.output.metrics, model=PLAN.roster.models),
        histories=expand(
            rules.train_network.output.history, model=PLAN.roster.network_runs
        ),
        refit_histories=expand(
            rules.refit_network.output.history, model=PLAN.roster.refit_models
        ),
        pdf=rules.render_report.output.pdf,
        markdown=rules.render_report.output.markdown,
        figures=get_figure_files(),
    output:
        tracked="results/history/mlflow.json",
    log:
        "logs/track_run.log",
    benchmark:
        "benchmarks/track_run.tsv"
    localrule: is_local("track_run")
    conda:
        "../../environment.yml"
    threads: threads_of("track_run")
    resources:
        **resources_of("track_run"),
    params:
        tracking_uri=config["mlflow_tracking_uri"],
        experiment=config["mlflow_experiment"],
        config=canonical(config),
        code=code_digest("ascflow.stages.history:track_run_job"),
    script:
        "../scripts/track_run.py"
