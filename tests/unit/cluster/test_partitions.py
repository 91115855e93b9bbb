"""ascflow.cluster.partitions on captured `sinfo` output: each partition's
largest node, its time limit and its GPUs."""

from __future__ import annotations

import math

import pytest
from ascflow.cluster.partitions import Partition, parse_gpus, parse_gres_gpu, parse_sinfo, parse_time_limit


def test_parse_sinfo_keeps_the_largest_node_and_the_default(larger_sinfo, two_cpu_sinfo):
    partitions = parse_sinfo(larger_sinfo)
    assert partitions["standard"] == Partition("standard", 64, 256000, 2880, 0, frozenset(), default=True)
    assert partitions["gpu"] == Partition("gpu", 32, 512000, 1440, 4, frozenset({"a100", "v100"}))
    assert (partitions["short"].cpus, partitions["short"].minutes) == (8, 30)
    assert (partitions["long"].cpus, partitions["long"].mem_mb) == (16, 64000)
    # MaxCPUsPerNode: a job gets no more of a node's CPUs (more would pend for ever).
    assert partitions["shared"].cpus == 4
    # The listing of an older check, without the column: no limit.
    assert parse_sinfo("a|8|1000|infinite|(null)\n")["a"].cpus == 8
    assert parse_sinfo(two_cpu_sinfo) == {"debug": Partition("debug", 2, 24105, math.inf, default=True)}


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("infinite", math.inf),
        ("UNLIMITED", math.inf),
        ("45", 45),
        ("30:00", 30),
        ("8:00:00", 480),
        ("2-00:00:00", 2880),
        ("1-00:30:00", 1470),
        ("2-12", 3600),
    ],
)
def test_parse_time_limit(text, minutes):
    assert parse_time_limit(text) == minutes


@pytest.mark.parametrize(
    ("item", "gpu"),
    [
        ("gpu", (1, None)),
        ("gpu:2", (2, None)),
        ("gpu:a100", (1, "a100")),
        ("gpu:a100:2", (2, "a100")),
        (" gpu:v100:4", (4, "v100")),
        ("mps:100", (0, None)),
        ("(null)", (0, None)),
    ],
)
def test_parse_gres_gpu_reads_one_generic_resource(item, gpu):
    assert parse_gres_gpu(item) == gpu


def test_parse_gpus():
    assert parse_gpus("(null)") == (0, frozenset())
    assert parse_gpus("gpu:2") == (2, frozenset())
    assert parse_gpus("gpu:a100:4(S:0-1),gpu:v100:2,mps:100") == (6, frozenset({"a100", "v100"}))
