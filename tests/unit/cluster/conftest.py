"""Captured ``sinfo`` output, shared by the tests of the partitions and of the
pre-flight check (tests/workflow/test_slurm.py runs the check on the local
cluster)."""

from __future__ import annotations

import pytest

#: `sinfo --noheader --all --exact --format '%P|%c|%m|%l|%G|%B'` on a
#: 2-CPU machine's one-node cluster ...
TWO_CPU_SINFO = "debug*|2|24105|infinite|(null)|UNLIMITED\n"
#: ... and on a larger one: two node sizes in the default partition, two GPU
#: types, a short partition, minimums marked "+", a partition that gives a
#: job at most 4 CPUs of a node (MaxCPUsPerNode).
LARGER_SINFO = """\
standard*|48|191000|2-00:00:00|(null)|UNLIMITED
standard*|64|256000|2-00:00:00|(null)|UNLIMITED
gpu|32|512000|1-00:00:00|gpu:a100:4(S:0-1)|UNLIMITED
gpu|32|512000|1-00:00:00|gpu:v100:2|UNLIMITED
short|8|32000|30:00|(null)|UNLIMITED
long|16+|64000+|7-00:00:00|(null)|UNLIMITED
shared|64|256000|1-00:00:00|(null)|4
"""


@pytest.fixture
def two_cpu_sinfo() -> str:
    """sinfo's listing of the local test cluster: one 2-CPU partition, the default."""
    return TWO_CPU_SINFO


@pytest.fixture
def larger_sinfo() -> str:
    """sinfo's listing of a larger cluster: several node sizes, GPUs, a time limit."""
    return LARGER_SINFO
