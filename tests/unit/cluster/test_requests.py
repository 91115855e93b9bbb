"""ascflow.cluster.requests: a job's resources read as the Slurm executor
plugin reads them, and a profile's entries evaluated as Snakemake evaluates
them into one attempt's request."""

from __future__ import annotations

import pytest
from ascflow.cluster.profiles import ProfileEntries
from ascflow.cluster.requests import Request, evaluate_entry, job_request, request_from_resources


def test_a_request_is_read_as_the_plugin_reads_it():
    assert request_from_resources("r", 8, {"mem_mb": 4000, "runtime": 60}) == Request("r", None, 8, 4000, 60)
    # cpus_per_task wins over threads; mem_mb_per_cpu counts per CPU.
    assert request_from_resources("r", 8, {"cpus_per_task": 2, "mem_mb_per_cpu": 1000}).cpus == 2
    assert request_from_resources("r", 8, {"cpus_per_task": 2, "mem_mb_per_cpu": 1000}).mem_mb == 2000
    # A GPU job's CPUs: cpus_per_gpu per GPU; a CPU job ignores cpus_per_gpu.
    gpu_job = request_from_resources("r", 8, {"gpu": 2, "cpus_per_gpu": 4, "slurm_partition": "gpu"})
    assert (gpu_job.cpus, gpu_job.cpus_from, gpu_job.gpus, gpu_job.partition) == (8, "cpus_per_gpu", 2, "gpu")
    assert request_from_resources("r", 8, {"gpu": 0, "cpus_per_gpu": 4}).cpus == 8
    assert request_from_resources("r", 1, {"gres": "gpu:a100:1"}).gpu_model == "a100"
    assert request_from_resources("r", 1, {"gpu_model": "a100"}).gpus == 1
    # Not known before the inputs exist (Snakemake's "<TBD>").
    assert request_from_resources("r", 1, {"mem_mb": "<TBD>", "slurm_partition": ""}).mem_mb is None


def test_a_request_for_another_cluster_names_it():
    assert request_from_resources("r", 1, {"slurm_cluster": "other"}).cluster == "other"
    assert request_from_resources("r", 1, {"clusters": "other"}).cluster == "other"
    assert request_from_resources("r", 1, {}).cluster is None


@pytest.mark.parametrize(
    ("written", "value"),
    [
        (4000, 4000),  # a number, as YAML gave it
        ("2000 * attempt", 6000),
        ("threads * 1000", 2000),
        ("'gpu' if wildcards.model.startswith('cnn') else 'cpu'", "gpu"),
        ("debug", "debug"),  # a word: no expression, kept as text
        ("2-00:00:00", "2-00:00:00"),  # no expression either
        ("max(1000, 3 * input.size_mb)", None),  # the inputs do not exist yet
    ],
)
def test_an_entry_is_evaluated_as_snakemake_evaluates_it(written, value):
    assert evaluate_entry(written, attempt=3, wildcards={"model": "cnn_1"}, threads=2) == value


def test_job_request_layers_the_profile_over_the_rules_own_needs():
    entries = ProfileEntries(
        set_threads={"train_network": "4 * attempt"},
        set_resources={"train_network": {"cpus_per_task": "threads", "runtime": "60 * attempt"}},
        default_resources={"mem_mb": 500, "runtime": 10, "slurm_partition": "standard"},
        max_threads=6,
    )
    own = {"threads": 2, "mem_mb": 1000}
    request = job_request("train_network", {}, own, entries, attempt=2)
    # set-threads over the rule's 2 threads, --max-threads over both; the
    # rule's own mem_mb over the default's; set-resources over the default's
    # runtime, evaluated with the job's threads.
    assert request == Request("train_network", "standard", 6, 1000, 120, attempt=2, cpus_from="cpus_per_task")
    # A rule the profile does not name keeps its own threads and gets the defaults.
    assert job_request("evaluate_model", {}, own, entries) == Request(
        "evaluate_model", "standard", 2, 1000, 10
    )


def test_job_request_leaves_out_what_needs_the_inputs():
    entries = ProfileEntries(set_resources={"validate_data": {"mem_mb": "max(1000, 3 * input.size_mb)"}})
    request = job_request("validate_data", {}, {"threads": 1, "mem_mb": 1000}, entries)
    assert request.mem_mb is None


def test_cores_cap_every_jobs_threads_as_max_threads_do():
    """Snakemake caps a job's threads at --cores on a cluster too
    (Rule.expand_resources), so the profile's cores: bounds every request."""
    entries = ProfileEntries(cores=4)
    request = job_request("train_network", {}, {"threads": 8, "mem_mb": 4000}, entries)
    assert (request.cpus, request.threads) == (4, 4)
    assert job_request("train_network", {}, {"threads": 8}, ProfileEntries(cores=4, max_threads=2)).cpus == 2
