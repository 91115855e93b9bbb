"""ascflow.plan: every decision of a run, from a config and a machine, without Snakemake."""

from __future__ import annotations

import pytest
from ascflow.cluster import ProfileEntries
from ascflow.configuration import load_config
from ascflow.errors import AscflowError
from ascflow.plan import CPU_SHARE_WHOLE, RULES, Job, Machine, Plan
from support import REPO, TINY_CONFIG

SHIPPED = REPO / "config" / "config.yaml"


def config(*overrides: dict) -> dict:
    """The shipped config, with the tiny one and ``overrides`` merged in."""
    from ascflow.configuration import merge

    base = load_config([SHIPPED, TINY_CONFIG])
    for override in overrides:
        merge(base, override)
    return base


def laptop(cores: int | None = 8, cpus: int = 2, gpus: int = 0) -> Machine:
    return Machine(cores=cores, cpus=cpus, gpus=gpus, local=True)


CLUSTER = Machine(cores=None, cpus=2, gpus=0, local=False)


# ---- data and models ----------------------------------------------------------


@pytest.mark.parametrize(
    ("override", "source", "data_dir"),
    [
        ({}, "synthetic", "resources/default"),
        ({"data_dir": "/data/tut"}, "user", "/data/tut"),
        ({"audio_dir": "/data/rec"}, "audio", "results/audio/data"),
    ],
)
def test_the_data_source_decides_where_the_arrays_are(override, source, data_dir):
    plan = Plan(config(override), laptop())
    assert (plan.source, plan.data_dir) == (source, data_dir)
    assert plan.data_made_with_groups == (source != "user")


def test_models_forests_first_then_networks_once_per_seed():
    assert Plan(config(), laptop()).models == ["rf_10", "rf_50", "rf_100", "cnn", "lstm"]
    plan = Plan(config({"seeds": [0, 1], "rf": {"n_estimators": [5]}}), laptop())
    assert plan.forests == ["rf_5_seed0", "rf_5_seed1"]
    assert plan.networks == ["cnn_seed0", "cnn_seed1", "lstm_seed0", "lstm_seed1"]
    assert [plan.seed(model) for model in plan.forests] == [0, 1]
    assert plan.seed("cnn") == config()["seed"]


def test_a_models_settings_digest_follows_its_own_settings_only():
    before = Plan(config(), laptop())
    after = Plan(config({"lstm": {"units": 5}}), laptop())
    changed = {
        model for model in before.models if before.settings_digest(model) != after.settings_digest(model)
    }
    assert changed == {"lstm"}
    # The key order of a config file alone changes nothing.
    reordered = config()
    reordered["cnn"] = dict(reversed(list(reordered["cnn"].items())))
    assert Plan(reordered, laptop()).settings_digests == before.settings_digests
    # The validation split shapes the networks, not the forests.
    split = Plan(config({"validation": {"fraction": 0.3}}), laptop())
    assert {m for m in before.models if before.settings_digest(m) != split.settings_digest(m)} == {
        "cnn",
        "lstm",
    }


def test_a_forests_settings_are_its_tree_count_and_the_rf_keys():
    plan = Plan(config({"rf": {"max_features": "log2"}}), laptop())
    assert plan.settings("rf_50") == {"n_estimators": 50, "max_features": "log2", "min_samples_leaf": 1}
    assert plan.validation("rf_50") == {} and plan.validation("cnn")["fraction"] == 0.25
    assert plan.architecture("lstm") == {"kernel_initializer": "he_uniform", "units": 4}


def test_only_the_networks_read_the_test_set_and_only_in_the_references_mode():
    default, reference = Plan(config(), laptop()), Plan(config({"validation": {"mode": "test"}}), laptop())
    assert not any(default.reads_test_set(model) for model in default.models)
    assert [model for model in reference.models if reference.reads_test_set(model)] == ["cnn", "lstm"]


def test_gpu_requests_follow_the_setting_and_the_driver():
    assert Plan(config(), laptop(gpus=1)).gpu_request("cnn") == 1
    assert Plan(config(), laptop(gpus=1)).gpu_request("rf_10") == 0
    assert Plan(config(), laptop(gpus=0)).gpu_request("lstm") == 0
    assert Plan(config({"gpu": False}), laptop(gpus=1)).gpu_request("cnn") == 0
    assert Plan(config({"gpu": True}), laptop(gpus=0)).gpu_request("cnn") == 1
    assert Plan(config({"gpu": True}), laptop()).gpu_setting("rf_10") is False


# ---- threads and the CPUs -------------------------------------------------------


def test_eight_cores_on_two_cpus_the_cnn_alone_then_two_one_thread_jobs():
    plan = Plan(config(), laptop(cores=8, cpus=2))
    assert plan.cores == 2
    assert plan.cores_note == "--cores 8, but this run may use 2 CPUs: at most 2 threads run at once."
    threads = {
        model: plan.threads("train_network" if model in plan.networks else "train_forest", {"model": model})
        for model in plan.models
    }
    assert threads == {"rf_10": 1, "rf_50": 1, "rf_100": 1, "cnn": 2, "lstm": 1}
    assert plan.threads("evaluate_model", {"model": "cnn"}) == 1
    assert plan.threads("make_features", {"layout": "channel", "split": "train"}) == 2  # the CNN's barrier
    assert plan.threads("make_features", {"layout": "flat", "split": "train"}) == 1
    assert plan.threads("render_report") == 2 and plan.threads("validate_data") == 1
    assert plan.priority("train_network", {"model": "cnn"}) > plan.priority(
        "train_network", {"model": "lstm"}
    )
    assert plan.priority("make_features", {"layout": "channel", "split": "train"}) == plan.priority(
        "train_network", {"model": "cnn"}
    )
    assert plan.priority("make_features", {"layout": "channel", "split": "test"}) == 0


def test_cores_within_the_cpus_are_left_as_asked_and_need_no_share():
    plan = Plan(config(), laptop(cores=2, cpus=16))
    assert plan.cores == 2 and plan.cores_note is None
    assert plan.cpu_share(2) == 0
    big = Plan(config(), laptop(cores=16, cpus=16))
    assert (
        big.threads("train_network", {"model": "cnn"}) == 4 == big.threads("train_forest", {"model": "rf_10"})
    )


@pytest.mark.parametrize("cpus", [1, 2, 3, 4, 7, 8, 13, 16, 64, 96])
def test_the_cpu_shares_let_no_more_threads_run_than_cpus(cpus):
    """Jobs fit the global limit together exactly when their threads fit the CPUs."""
    plan = Plan(config(), laptop(cores=4 * cpus, cpus=cpus))
    one = plan.cpu_share(1)
    assert cpus * one <= CPU_SHARE_WHOLE < (cpus + 1) * one
    assert plan.cpu_share(cpus) <= CPU_SHARE_WHOLE
    for threads in range(1, cpus):
        rest = cpus - threads
        assert plan.cpu_share(threads) + rest * one <= CPU_SHARE_WHOLE
        assert plan.cpu_share(threads) + (rest + 1) * one > CPU_SHARE_WHOLE


def test_a_cluster_schedules_no_local_cores_and_asks_nodes_for_more():
    plan = Plan(config(), CLUSTER)
    assert plan.cores is None and plan.cores_note is None and plan.cpu_share(8) == 0
    assert plan.threads("train_network", {"model": "cnn"}) == RULES["train_network"].cluster_threads == 8
    assert plan.threads("evaluate_model", {"model": "rf_10"}) == 4
    assert plan.threads("validate_data") == 1


def test_memory_and_time_grow_with_the_inputs_and_each_retry():
    plan = Plan(config(), CLUSTER)
    assert plan.mem_mb("train_forest", input_mb=100) == 4000
    assert plan.mem_mb("train_forest", input_mb=1000) == 6000
    assert plan.mem_mb("train_forest", input_mb=1000, attempt=3) == 18000
    assert plan.mem_mb("list_audio", input_mb=10_000) == 1000
    assert plan.runtime("train_network", attempt=2) == 2 * RULES["train_network"].runtime


# ---- the jobs and what they ask a cluster for ----------------------------------


def test_the_jobs_of_a_run():
    plan = Plan(config({"cv": {"folds": 2}}), laptop())
    jobs = [job.rule for job in plan.jobs()]
    assert jobs.count("make_features") == 6 and jobs.count("cross_validate") == 10
    assert jobs.count("train_forest") == 3 and jobs.count("train_network") == 2
    assert jobs[0] == "generate_default_data" and jobs[-1] == "render_report"
    audio = Plan(config({"audio_dir": "resources/example-audio", "example_audio": {"write": True}}), laptop())
    chunks = [job for job in audio.jobs(["0000", "0001"]) if job.rule == "extract_audio_chunk"]
    assert [job.wildcards["chunk"] for job in chunks] == ["0000", "0001"]
    assert "generate_default_data" not in [job.rule for job in audio.jobs()]


def test_cluster_requests_apply_the_profile_as_snakemake_does():
    plan = Plan(config(), CLUSTER)
    entries = ProfileEntries(
        set_threads={"train_network": 16},
        set_resources={
            "train_network": {"runtime": "100 * attempt"},
            "evaluate_model": {"gpu": '0 if wildcards.model.startswith("rf_") else 1'},
            "validate_data": {"mem_mb": "max(1000, 3 * input.size_mb)"},
        },
        default_resources={"slurm_partition": "standard", "mem_mb": 123},
        max_threads=12,
    )
    requests = plan.cluster_requests(entries, attempts=2, chooses_partitions=False)
    by_job = {(request.rule, request.attempt): request for request in requests}
    network = by_job[("train_network", 2)]
    assert (network.cpus, network.minutes, network.partition) == (12, 200, "standard")
    assert network.mem_mb is None  # grows with the inputs, not known yet
    assert by_job[("count_parameters", 1)].mem_mb == 1000  # the rule's own, not the default's
    assert by_job[("validate_data", 1)].mem_mb is None
    gpus = {request.gpus for request in requests if request.rule == "evaluate_model"}
    assert gpus == {0, 1}
    assert not {"render_report", "summarize_metrics", "list_audio"} & {request.rule for request in requests}
    # Where the Slurm plugin chooses partitions, the jobs that name none are its.
    left = ProfileEntries(set_resources={"train_network": {"slurm_partition": "gpu"}})
    assert {r.rule for r in plan.cluster_requests(left, 1, chooses_partitions=True)} == {"train_network"}


def test_every_rule_has_its_needs():
    from ascflow.plan import Needs

    assert all(
        isinstance(needs, Needs) and needs.mem_mb > 0 and needs.runtime > 0 for needs in RULES.values()
    )
    assert {job.rule for job in Plan(config({"cv": {"folds": 2}}), laptop()).jobs()} <= set(RULES)
    assert Job("validate_data").wildcards == {}


# ---- what each job reads and what a run delivers ---------------------------------

SWEEP = {"sweep": {"cnn": {"learning_rate": [0.001, 0.01]}, "rf": {"max_features": ["sqrt", 0.3]}}}


def swept(*overrides: dict) -> Plan:
    from support import paramspace_labels

    return Plan(config(SWEEP, *overrides), laptop(), variant_labels=paramspace_labels)


def reads(made) -> list:
    return made if isinstance(made, list) else [made]


def test_only_the_evaluation_reads_the_test_set():
    for plan in (Plan(config({"refit": True}), laptop()), swept({"cv": {"folds": 2}})):
        model_jobs = [job for job in plan.jobs() if "model" in job.wildcards]
        for job in model_jobs:
            if job.rule in ("predict_model", "export_model"):
                continue
            files = [
                made
                for value in plan.inputs(job.rule, job.wildcards["model"]).values()
                for made in reads(value)
            ]
            test_split = [
                made for made in files if dict(made.wildcards).get("split") == "test" or "test_" in made.name
            ]
            assert bool(test_split) == (job.rule == "evaluate_model"), (job, test_split)
    reference = Plan(config({"validation": {"mode": "test"}}), laptop())
    assert "test_features" in reference.inputs("train_network", "cnn")


def test_the_evaluation_scores_the_refit_network_or_the_chosen_variant():
    refit = Plan(config({"refit": True}), laptop())
    assert refit.refit_models == ["cnn", "lstm"]
    evaluated = refit.inputs("evaluate_model", "cnn")
    assert [made.rule for made in evaluated["model"]] == ["refit_network"]
    assert refit.inputs("refit_network", "cnn")["chosen"].rule == "train_network"
    kept = Plan(config({"refit": False}), laptop()).inputs("evaluate_model", "cnn")
    assert [made.rule for made in kept["model"]] == ["train_network"] and "selection" not in kept
    plan = swept({"refit": False})
    runs = [dict(made.wildcards)["model"] for made in plan.inputs("evaluate_model", "cnn")["model"]]
    assert runs == ["cnn_learning_rate-0.001", "cnn_learning_rate-0.01"]
    assert plan.inputs("evaluate_model", "cnn")["selection"].rule == "select_variant"
    assert (
        plan.inputs("export_model", "rf_10")["selection"]
        == plan.inputs("evaluate_model", "rf_10")["selection"]
    )


def test_a_sweep_trains_every_variant_and_chooses_on_validation_only():
    plan = swept({"cv": {"folds": 3}, "refit": True})
    assert plan.swept_models == ["rf_10", "rf_50", "rf_100", "cnn"]
    assert plan.runs("lstm") == ["lstm"] and len(plan.runs("cnn")) == 2
    chosen = plan.inputs("select_variant", "cnn")
    assert len(chosen["infos"]) == 2 and len(chosen["folds"]) == 2 * 3
    assert plan.inputs("refit_network", "cnn")["chosen"].rule == "select_variant"
    assert not plan.forest_validates("rf_10_max_features-0.3")  # the folds rank the forests
    assert swept().forest_validates("rf_10_max_features-0.3") and swept().validation("rf_10_max_features-0.3")
    # A variant's settings are its family's with its values; the model's digest covers every run.
    assert plan.settings("cnn_learning_rate-0.01")["learning_rate"] == 0.01
    assert plan.model_digest("cnn") != plan.settings_digest("cnn_learning_rate-0.01")
    assert swept({"sweep": {"cnn": {"learning_rate": [0.001, 0.02]}}}).model_digest(
        "cnn"
    ) != plan.model_digest("cnn")


def test_what_a_run_delivers():
    plan = Plan(
        config({"refit": True, "cv": {"folds": 2}, "mlflow_tracking_uri": "sqlite:///m.db"}), laptop()
    )
    delivered = {(made.rule, made.name) for made in plan.targets()}
    assert {("refit_network", "history"), ("summarize_folds", "folds"), ("track_run", "tracked")} <= delivered
    assert ("predict_model", "table") not in delivered
    with pytest.raises(AscflowError, match="^config key predict_dir: is empty"):
        plan.prediction_targets()


def test_what_prediction_reads(tmp_path):
    (tmp_path / "meta.csv").write_text("filename\tscene_label\n")
    arrays = Plan(config({"predict_dir": str(tmp_path)}), laptop())
    inputs = arrays.prediction_inputs("cnn", [])
    assert inputs["clips"] == str(tmp_path / "X.npy") and inputs["meta"] == str(tmp_path / "meta.csv")
    assert {(made.rule, made.name) for made in arrays.prediction_targets()} == {
        ("predict_model", "table"),
        ("predict_model", "facts"),
    }
    recordings = Plan(config({"predict_dir": str(tmp_path), "audio_dir": "/data/rec"}), laptop())
    inputs = recordings.prediction_inputs("lstm", ["0000", "0001"])
    assert [dict(made.wildcards)["chunk"] for made in inputs["chunks"]] == ["0000", "0001"]
    assert "clips" not in inputs and inputs["bundle"] == recordings.prediction_inputs("lstm", [])["bundle"]


def test_the_data_files_follow_the_source():
    user = Plan(config({"data_dir": "/data/tut"}), laptop())
    assert set(user.data_files({"classes.txt"})) == {"X_train", "y_train", "X_test", "y_test", "classes"}
    assert "groups_train" in user.data_files({"groups_train.npy", "groups_test.npy"})
    made = Plan(config(), laptop()).data_files(set())
    assert made["groups_test"] == "resources/default/groups_test.npy" and "classes" in made
