"""Knowledge distillation (config distill): the teachers' averaged class
probabilities of every training clip, which the distilled CNN
(cnn_distilled, trained by train_network and refit_network) learns from
beside the labels. An artifact of its own: a change of the student does not
re-train its teachers."""


rule teacher_probabilities:
    """Average the teachers' class probabilities of every training clip (never the test set)."""
    input:
        unpack(get_teacher_inputs),
    output:
        probabilities="results/distill/teachers.npy",
        facts="results/distill/teachers.json",
    log:
        "logs/teacher_probabilities.log",
    benchmark:
        "benchmarks/teacher_probabilities.tsv"
    localrule: is_local("teacher_probabilities")
    conda:
        "../../environment.yml"
    threads: threads_of("teacher_probabilities")
    resources:
        **resources_of("teacher_probabilities"),
    params:
        teachers=PLAN.roster.teachers,
        # What each teacher was made with: a change of one re-runs this job.
        teacher_digests=PLAN.identity.distill()["teacher_digests"],
        gpu=config["gpu"],
        code=code_digest("ascflow.stages.distill:teacher_probabilities_job"),
    script:
        "../scripts/teacher_probabilities.py"
