"""ascflow.cluster.problems: the one sentence that names every request
beyond its partition, one clause per kind, partition and attempt, each with
the profile entry that fixes it."""

from __future__ import annotations

from ascflow.cluster.problems import Problem, describe


def test_rules_with_one_fix_share_a_clause_and_each_kind_and_attempt_has_its_own():
    problems = [
        Problem("train_network", "threads", 8, 2, "debug"),
        Problem("evaluate_model", "threads", 4, 2, "debug"),
        Problem("train_network", "minutes", 720, 480.0, "debug", attempt=3),
    ]
    assert describe(problems) == (
        "rule train_network asks 8 CPUs per task and rule evaluate_model 4, but no node of partition "
        "debug has more than 2: lower their threads in the profile's set-threads, or pass --max-threads 2; "
        "rule train_network asks 720 minutes on attempt 3, but partition debug allows at most 480: "
        "lower its runtime in the profile's set-resources."
    )


def test_each_partition_has_its_own_clause():
    problems = [Problem("a", "mem_mb", 9000, 8000, "short"), Problem("b", "mem_mb", 90000, 64000, "long")]
    assert describe(problems) == (
        "rule a asks 9000 MB of memory, but no node of partition short has more than 8000: lower its mem_mb "
        "in the profile's set-resources; rule b asks 90000 MB of memory, but no node of partition long has "
        "more than 64000: lower its mem_mb in the profile's set-resources."
    )


def test_a_fix_for_several_rules_speaks_of_them():
    gpus = [Problem("a", "gpus", 1, 0, "standard"), Problem("b", "gpus", 1, 0, "standard")]
    assert describe(gpus) == (
        "rule a asks 1 GPU and rule b 1, but no node of partition standard has one: "
        "give them a partition with GPUs (slurm_partition in the profile's set-resources)."
    )
    partitions = [
        Problem("a", "partition", "x", "gpu, standard", ""),
        Problem("b", "partition", "y", "gpu, standard", ""),
    ]
    assert describe(partitions) == (
        "rule a asks for partition x and rule b asks for partition y, which this cluster does not have "
        "(sinfo lists gpu, standard): set slurm_partition in the profile to one of those, or delete it "
        "for the cluster's default."
    )
