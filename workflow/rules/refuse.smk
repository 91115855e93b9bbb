"""Targets that name a model this config does not hold (results/metrics/rf_20.json,
results/models/rf_abc.joblib): one sentence saying what the config holds,
instead of a forest the config never asked for or Snakemake's "No rule to produce"."""


rule refuse_unknown_model:
    """Stop: the target names no model of this config."""
    output:
        metrics=unknown_model("results/metrics", ".json"),
        forest=unknown_model("results/models", ".joblib"),
        network=unknown_model("results/models", ".keras"),
        bundle=directory(unknown_model("results/export")),
    log:
        "logs/refuse_unknown_model/{unknown}.log",
    benchmark:
        "benchmarks/refuse_unknown_model/{unknown}.tsv"
    localrule: is_local("refuse_unknown_model")
    conda:
        "../../environment.yml"
    threads: threads_of("refuse_unknown_model")
    resources:
        **resources_of("refuse_unknown_model"),
    params:
        sentence=lambda wildcards: PLAN.roster.unknown_model(wildcards.unknown),
        code=code_digest("ascflow.stages.refuse:refuse_unknown_model"),
    script:
        "../scripts/refuse_unknown_model.py"
