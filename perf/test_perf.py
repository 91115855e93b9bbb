"""The benchmark's own tests: its helpers on small inputs, and its quick mode
end to end. They live with the benchmark, so that the product's tests
(tests/) depend on nothing in this development folder; pytest collects both."""

from __future__ import annotations

import subprocess
import sys

import pytest

from perf import bench, runs, sizes, timeline
from perf.line import format_line, parse_line, steady_epoch_seconds
from perf.workflow import REPOSITORY


def test_bench_line_round_trips():
    figures = {"default_s": 146.93, "threads": 2, "report_rules": "render_report"}
    line = format_line("bench", figures)
    assert line == "bench: default_s=146.9 threads=2 report_rules=render_report"
    assert parse_line(f"a table\n{line}\n") == {
        "default_s": 146.9,
        "threads": 2.0,
        "report_rules": "render_report",
    }


def test_parse_line_takes_the_last_line_and_needs_one():
    assert parse_line("bench: a=1\nbench: a=2") == {"a": 2.0}
    with pytest.raises(ValueError, match="bench:"):
        parse_line("no figures here")


def test_expected_keys_follow_the_skips():
    everything = bench.expected_keys()
    assert set(bench.FULL_SIZE_KEYS) <= set(everything) and set(bench.SCALING_KEYS) <= set(everything)
    assert bench.expected_keys(skip_full_size=True, skip_scaling=True, skip_audio=True) == bench.BENCH_KEYS
    assert set(bench.AUDIO_KEYS) <= set(bench.expected_keys(skip_full_size=True, skip_scaling=True))
    with_reference = bench.expected_keys(reference_size=True)
    assert set(bench.REFERENCE_KEYS) <= set(with_reference) and not set(bench.REFERENCE_KEYS) & set(
        everything
    )


def test_benchmark_table_reads_every_job_and_its_last_run(tmp_path):
    header = "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"
    (tmp_path / "benchmarks" / "train_network").mkdir(parents=True)
    (tmp_path / "benchmarks" / "validate_data.tsv").write_text(
        header + "0.7\t0:00:00\t264.7\t1\t1\t1\t0\t0\t0\t0.5\n"
    )
    (tmp_path / "benchmarks" / "train_network" / "cnn.tsv").write_text(
        header
        + "9.0\t0:00:09\t900.0\t1\t1\t1\t0\t0\t0\t8\n"
        + "126.3\t0:02:06\t1544.0\t1\t1\t1\t0\t0\t0\t100\n"
    )
    assert runs.benchmark_table(tmp_path) == {
        "train_network/cnn": {"s": 126.3, "max_rss_mb": 1544.0},
        "validate_data": {"s": 0.7, "max_rss_mb": 264.7},
    }


def test_steady_epochs_leave_out_the_first():
    assert steady_epoch_seconds([12.0, 6.0, 7.0, 6.5]) == 6.5
    assert steady_epoch_seconds([3.0]) == 3.0


def test_overrides_merge_into_the_config_key_by_key():
    overrides = runs.run_overrides({"n_train": 300, "n_test": 60}, epochs=2)
    config = runs.merged_config(overrides)
    assert config["default_data"]["n_train"] == 300 and config["default_data"]["n_frames"] == 501
    assert config["cnn"]["epochs"] == 2 and config["cnn"]["batch_size"] == 64
    assert config["lstm"]["epochs"] == 2 and config["lstm"]["units"] == 32
    assert runs.run_overrides({}, epochs=None) == {}


@pytest.mark.slow  # about 3 minutes on two cores: a small workflow run, the plain script, audio, scaling
def test_quick_benchmark_prints_every_figure(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "perf", "--quick", "--keep", str(tmp_path / "bench")],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert result.stdout.rstrip().splitlines()[-1].startswith("bench: ")
    figures = parse_line(result.stdout)
    assert set(bench.expected_keys()) <= set(figures)
    # The Slurm plugin's start-up probe costs nothing where no Slurm client is
    # installed (as before the Slurm tests install one): 0 is a measurement.
    assert figures.pop("slurm_probe_s") >= 0
    assert all(isinstance(value, float) and value > 0 for value in figures.values()), figures
    # Prediction: the command and the plain loop classified every recording alike.
    predict = tmp_path / "bench" / "predict"
    written = sorted((predict / "recordings").rglob("*.wav"))
    assert figures["predict_files"] == len(written) >= 5
    assert figures["predict_throughput_ratio"] == pytest.approx(
        figures["predict_files_per_s_per_core"] * figures["threads"] / figures["predict_plain_files_per_s"],
        rel=2e-3,
    )
    tables = [(predict / name).read_text().splitlines() for name in ("command.tsv", "plain.tsv")]
    assert all(len(table) == 1 + len(written) for table in tables)


def test_slurm_probe_is_taken_off_each_snakemake_command(tmp_path):
    run = bench.Bench(bench.QUICK, threads=2, work_root=tmp_path)
    run.figures.update(default_s=150.0, noop_s=10.5, report_s=16.0, plain_s=116.0, slurm_probe_s=9.0)
    adjusted = run.without_slurm_probe()
    assert adjusted["default_s"] == 141.0 and adjusted["noop_s"] == 1.5 and adjusted["report_s"] == 7.0
    assert adjusted["overhead_ratio"] == pytest.approx(141.0 / 116.0)


SNAKEMAKE_LOG = """Select jobs to execute...
[Sun Nov 29 07:26:39 2026]
localrule make_features:
    jobid: 4
    wildcards: layout=channel, split=train
    threads: 2
    resources: tmpdir=/tmp
[Sun Nov 29 07:26:41 2026]
Finished jobid: 4 (Rule: make_features)
[Sun Nov 29 07:26:41 2026]
localrule train_network:
    jobid: 3
    wildcards: model=cnn
    threads: 2
[Sun Nov 29 07:26:41 2026]
localrule count_parameters:
    jobid: 9
[Sun Nov 29 07:26:42 2026]
Finished jobid: 9 (Rule: count_parameters)
[Sun Nov 29 07:27:40 2026]
Finished jobid: 3 (Rule: train_network)
[Sun Nov 29 07:27:40 2026]
localrule all:
    jobid: 0
[Sun Nov 29 07:27:40 2026]
Finished jobid: 0 (Rule: all)
"""


def test_timeline_of_a_snakemake_log(tmp_path):
    log_path = tmp_path / "run.snakemake.log"
    log_path.write_text(SNAKEMAKE_LOG)
    jobs = timeline.parse_log(log_path)
    assert timeline.timeline_rows(jobs) == [
        ["make_features/channel,train", 2, 0.0, 2.0],
        ["train_network/cnn", 2, 2.0, 61.0],
        ["count_parameters", 1, 2.0, 3.0],
    ]
    # The features end in the second the CNN starts; count_parameters ran beside it.
    assert timeline.peak_threads(jobs) == 3


def test_critical_path_follows_the_longest_model_chain():
    seconds = {
        "generate_default_data": 3,
        "validate_data": 1,
        "make_features/flat_train": 1,
        "make_features/flat_test": 0.5,
        "train_forest/rf_10": 2,
        "evaluate_model/rf_10": 1,
        "make_features/channel_train": 1,
        "make_features/channel_test": 70,  # longer than the training it runs beside
        "train_network/cnn": 60,
        "evaluate_model/cnn": 5,
        "summarize_metrics": 1,
        "compare_models": 2,
        "render_report": 3,
    }
    total, path = sizes.critical_path({job: {"s": s} for job, s in seconds.items()}, ["rf_10", "cnn"])
    assert total == 3 + 1 + 1 + 70 + 5 + 2 + 3
    assert path == [
        "generate_default_data",
        "validate_data",
        "make_features/channel_train",
        "make_features/channel_test",
        "evaluate_model/cnn",
        "compare_models",
        "render_report",
    ]
