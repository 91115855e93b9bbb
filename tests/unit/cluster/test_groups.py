"""ascflow.cluster.groups: a group's submission sized as Snakemake sizes it,
checked against Snakemake's own GroupResources.basic_layered."""

from __future__ import annotations

from types import SimpleNamespace

from ascflow.cluster.groups import Grouping, group_request, group_requests, ungrouped
from ascflow.cluster.requests import request_from_resources
from hypothesis import given, settings
from hypothesis import strategies as st
from snakemake.resources import GroupResources, Resources


def job(rule="make_features", threads=1, mem_mb=1000, runtime=10, attempt=1, **resources):
    return request_from_resources(rule, threads, {"mem_mb": mem_mb, "runtime": runtime, **resources}, attempt)


FEATURES = Grouping(groups={"make_features": "features"}, components={"features": 6}, cores=8)


def test_the_issues_group_asks_for_its_six_jobs_side_by_side():
    (submission,) = group_requests([job() for _ in range(6)], FEATURES)
    assert submission.group == "features" and submission.jobs == (("make_features", 6),)
    request = submission.request
    assert (request.rule, request.cpus, request.mem_mb, request.minutes) == ("features", 6, 6000, 10)


def test_cores_bound_a_groups_width_and_its_jobs_threads():
    # --cores 2: three layers of two jobs, one after another.
    (submission,) = group_requests([job() for _ in range(6)], FEATURES.with_cores(2))
    assert (submission.request.cpus, submission.request.mem_mb, submission.request.minutes) == (2, 2000, 30)
    # An 8-thread fold under --cores 2 runs on 2 threads, the four one after another.
    folds = Grouping(groups={"cross_validate": "folds"}, components={"folds": 4}, cores=2)
    (submission,) = group_requests([job("cross_validate", 8, 4000, 60) for _ in range(12)], folds)
    assert (submission.request.cpus, submission.request.mem_mb, submission.request.minutes) == (2, 4000, 240)
    assert submission.jobs == (("cross_validate", 4),)


def test_a_group_takes_at_most_its_components_and_at_most_the_runs_jobs():
    (submission,) = group_requests([job() for _ in range(3)], FEATURES)
    assert submission.jobs == (("make_features", 3),) and submission.request.cpus == 3
    fewer = FEATURES.with_components("features", 2)
    assert group_requests([job() for _ in range(6)], fewer)[0].request.cpus == 2


def test_each_attempt_is_a_submission_and_unknown_memory_stays_unknown():
    requests = [job(attempt=1), job(attempt=2, mem_mb=2000), job(mem_mb=None)]
    by_attempt = {submission.attempt: submission.request for submission in group_requests(requests, FEATURES)}
    assert by_attempt[1].mem_mb is None and by_attempt[1].cpus == 2
    assert by_attempt[2].mem_mb == 2000


def test_jobs_of_other_rules_are_submitted_one_by_one():
    requests = [job(), job("train_network", 8, 4000, 240)]
    assert [request.rule for request in ungrouped(requests, FEATURES)] == ["train_network"]


def test_the_grouping_of_a_snakemake_run_is_read_from_its_settings():
    grouping = Grouping.from_workflow(
        {"make_features": "features", "train_network": None},
        SimpleNamespace(group_components={"features": 6}),
        SimpleNamespace(cores=8, resources={"mem_mb": 16000, "tmpdir": "/tmp"}),
    )
    assert grouping == Grouping({"make_features": "features"}, {"features": 6}, 8, {"mem_mb": 16000})
    parsed = SimpleNamespace(cores=None, resources=Resources.from_mapping({"mem_mb": 16000}))
    assert Grouping.from_workflow({}, None, parsed) == Grouping(limits={"mem_mb": 16000})


# ---- the same numbers as Snakemake's --------------------------------------------


def snakemake_group(jobs, cores, mem_limit):
    """Snakemake 9's own resources of a submitted group (GroupJob.resources)."""
    toposorted = [
        [
            SimpleNamespace(
                resources={"_cores": r.threads, "mem_mb": r.mem_mb, "runtime": r.minutes, "_nodes": 1},
                pipe_group=None,
            )
            for r in level
        ]
        for level in jobs
    ]
    limits = {"_cores": cores} | ({"mem_mb": mem_limit} if mem_limit else {})
    return GroupResources.basic_layered(
        toposorted_jobs=toposorted,
        constraints=Resources.from_mapping(limits),
        run_local=False,
        additive_resources=["runtime"],
        sortby=["runtime"],
    )


jobs_strategy = st.lists(
    st.tuples(st.integers(1, 8), st.integers(100, 8000), st.integers(1, 120)), min_size=1, max_size=8
)


@settings(max_examples=200, deadline=None)
@given(
    levels=st.lists(jobs_strategy, min_size=1, max_size=3),
    cores=st.integers(1, 16),
    mem_limit=st.one_of(st.none(), st.integers(8000, 40000)),
)
def test_a_submission_is_sized_as_snakemake_sizes_it(levels, cores, mem_limit):
    # Threads as Snakemake gives them: capped at --cores before the packing.
    requests = [
        [job(f"rule{i}", min(threads, cores), mem, minutes) for threads, mem, minutes in level]
        for i, level in enumerate(levels)
    ]
    grouping = Grouping(cores=cores, limits={"mem_mb": mem_limit} if mem_limit else {})
    ours = group_request("g", requests, grouping).request
    theirs = snakemake_group(requests, cores, mem_limit)
    expected = (theirs["_cores"], theirs["mem_mb"], theirs["runtime"])
    assert (ours.threads, ours.mem_mb, ours.minutes) == expected
