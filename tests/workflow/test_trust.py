"""Every result belongs to the data, config and code that made it: the data
and code gates, the report's refusal to mix, one sentence for every bad config,
and the faults a run survives. All through Snakemake's command line."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from support import (
    REPO,
    copy_run,
    one_sentence,
    planned_jobs,
    read_metrics,
    snakemake,
    snakemake_command,
    tiny_args,
    variant_config,
    without_timings,
)

MODELS = ["rf_10", "rf_50", "rf_100", "cnn", "lstm"]


def data_folder(folder: Path, seed: int, labels=None) -> Path:
    """A small valid data folder: 3 classes of 12 x 40 clips."""
    rng = np.random.default_rng(seed)
    arrays = {
        "X_train": rng.normal(size=(30, 12, 40)).astype(np.float32),
        "y_train": np.arange(30) % 3,
        "X_test": rng.normal(size=(12, 12, 40)).astype(np.float32),
        "y_test": np.arange(12) % 3,
    }
    if labels is not None:
        arrays["y_train"], arrays["y_test"] = labels(arrays["y_train"]), labels(arrays["y_test"])
    folder.mkdir(parents=True)
    for stem, array in arrays.items():
        np.save(folder / f"{stem}.npy", array)
    return folder


def fingerprints(workdir: Path) -> set[str]:
    """The data fingerprints of the summary and of every model's metrics."""
    summary = json.loads((workdir / "results/data/summary.json").read_text())
    return {summary["fingerprint"], *(m["data_fingerprint"] for m in read_metrics(workdir).values())}


# ---- config ----------------------------------------------------------------

BAD_CONFIGS = {
    "type": (
        "cnn={epochs: two}",
        r'config key cnn\.epochs: "two" is not allowed; it must be an integer '
        r"\(on the command line: --config 'cnn=\{epochs: \.\.\.\}'\)\.",
    ),
    "enum": (
        "leakage=maybe",
        r'config key leakage: "maybe" is not allowed; it must be one of "warn", "error" '
        r"\(on the command line: --config leakage=\.\.\.\)\.",
    ),
    "bound": (
        "validation={fraction: 1.5}",
        r"config key validation\.fraction: 1\.5 .* a number less than 1 \(on the command line: .*\)\.",
    ),
    "unknown-key": (
        "cnn={epoch: 3}",
        r"config: unknown key epoch in cnn; allowed: batch_norm, batch_size, .*",
    ),
    "nested-enum": (
        "lstm={time_major: rehsape}",
        r'config key lstm\.time_major: "rehsape" .* one of "transpose", "reshape" '
        r"\(on the command line: --config 'lstm=\{time_major: \.\.\.\}'\)\.",
    ),
}


@pytest.mark.parametrize(("override", "message"), BAD_CONFIGS.values(), ids=BAD_CONFIGS)
def test_bad_config_stops_in_one_sentence(tmp_path, override, message):
    result = snakemake(tmp_path, "-n", *tiny_args("--config", override), check=False)
    assert re.fullmatch(f"ascflow: {message}", one_sentence(result)), result.stderr


def test_nested_override_is_typed_by_the_schema_and_merged(tiny_run, tmp_path):
    workdir = copy_run(tiny_run, tmp_path / "run")
    result = snakemake(workdir, "-n", *tiny_args("--config", "cnn={epochs: 3}"))
    jobs = planned_jobs(result.stdout)
    # Only the CNN retrains: its other tiny-config keys (filters, batch) stay.
    assert jobs["train_network"] == 1 and "train_forest" not in jobs
    assert "'epochs': 3" in result.stdout and "'filters': 4" in result.stdout


# ---- the data gate -----------------------------------------------------------


def test_data_folders_never_mix(tmp_path):
    """A -> B -> A gives A's results again; a file replaced with its old mtime
    re-validates; a folder with a missing file stops before any job starts."""
    first = data_folder(tmp_path / "a", seed=1)
    # B's labels are scene names in a column, as users have them.
    names = np.array(["bus", "park", "tram"])
    second = data_folder(tmp_path / "b", seed=2, labels=lambda y: names[y][:, None])
    workdir = tmp_path / "run"
    workdir.mkdir()

    # Up to every model's metrics: the exports and the report downstream of
    # them follow the metrics by the same planning (the report's own checks
    # are tests/workflow/test_report_user_data.py's).
    evaluated = "results/metrics/summary.tsv"
    snakemake(workdir, *tiny_args(evaluated, "--config", f"data_dir={first}"))
    metrics_a, (fingerprint_a,) = read_metrics(workdir), fingerprints(workdir)
    snakemake(workdir, *tiny_args(evaluated, "--config", f"data_dir={second}"))
    (fingerprint_b,) = fingerprints(workdir)  # every model retrained on B
    assert fingerprint_b != fingerprint_a
    assert read_metrics(workdir)["cnn"]["class_names"] == ["bus", "park", "tram"]
    summary = json.loads((workdir / "results/data/summary.json").read_text())
    assert summary["label_conversions"]["y_train.npy"] == ["column_vector", "names"]
    snakemake(workdir, *tiny_args(evaluated, "--config", f"data_dir={first}"))
    assert fingerprints(workdir) == {fingerprint_a}
    for name, metrics in read_metrics(workdir).items():
        assert without_timings(metrics) == without_timings(metrics_a[name]), name

    # Replaced in place, the old modification time kept (as `cp -p` does).
    target = first / "X_train.npy"
    stat = target.stat()
    shutil.copyfile(second / "X_train.npy", target)
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    planned = planned_jobs(
        snakemake(workdir, "-n", *tiny_args(evaluated, "--config", f"data_dir={first}")).stdout
    )
    assert planned["validate_data"] == 1

    # A folder with a file missing: one sentence, before any job runs.
    (first / "y_test.npy").unlink()
    logs = {path: path.stat().st_mtime_ns for path in (workdir / "logs").rglob("*.log")}
    result = snakemake(workdir, *tiny_args("--config", f"data_dir={first}"), check=False)
    assert one_sentence(result) == f"ascflow: {first / 'y_test.npy'}: file not found."
    assert {path: path.stat().st_mtime_ns for path in (workdir / "logs").rglob("*.log")} == logs
    assert fingerprints(workdir) == {fingerprint_a}


def test_features_refuse_clips_that_validation_did_not_check(tiny_run, tmp_path):
    """The features' own check, for what Snakemake cannot see: clips changed
    with their old modification time, planned by modification time only."""
    workdir = copy_run(tiny_run, tmp_path / "run")
    clips = workdir / "resources/default/X_test.npy"
    stat = clips.stat()
    np.save(clips, np.load(clips) + 1)
    os.utime(clips, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    target = ("results/features/flat/test.npy", "--forcerun", "make_features", "--rerun-triggers", "mtime")
    result = snakemake(workdir, *tiny_args(*target), check=False)
    assert "resources/default/X_test.npy: is not the file validate_data checked" in one_sentence(result)


# ---- the code gate -----------------------------------------------------------


def test_editing_a_module_reruns_the_rules_that_run_it(tmp_path):
    """A copy of the repository, trained once; then each edit plans exactly
    the jobs whose code it touched."""
    repo = tmp_path / "repo"
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
    for folder in ("workflow", "config"):
        shutil.copytree(REPO / folder, repo / folder, ignore=ignore)
    for name in ("Snakefile", "environment.yml"):
        shutil.copy2(REPO / name, repo / name)
    workdir = tmp_path / "run"
    workdir.mkdir()
    targets = ["results/models/cnn.keras", "results/models/rf_10.joblib"]
    command = snakemake_command(workdir, "--snakefile", str(repo / "Snakefile"), *targets, *tiny_args())
    environment = {**os.environ, "PYTHONPATH": str(repo / "workflow")}  # the jobs run the copy's code

    def run(*extra: str) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [*command, *extra], capture_output=True, text=True, env=environment, timeout=600
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result

    run()
    assert "Nothing to be done" in run("-n").stdout + run("-n").stderr

    def planned_after_editing(module: str) -> dict[str, int]:
        path = repo / "workflow/ascflow" / module
        original = path.read_text()
        path.write_text(original + "\n# an edit\n")
        try:
            return planned_jobs(run("-n").stdout)
        finally:
            path.write_text(original)

    assert planned_after_editing("models/network.py") == {"train_network": 1}
    assert planned_after_editing("models/forest.py") == {"train_forest": 1}
    features = planned_after_editing("features.py")
    assert features == {"make_features": 2, "train_network": 1, "train_forest": 1}


# ---- the report refuses to mix ---------------------------------------------------


def test_report_refuses_metrics_of_other_settings(tiny_run, tmp_path):
    workdir = copy_run(tiny_run, tmp_path / "run")
    path = workdir / "results/metrics/lstm.json"
    metrics = json.loads(path.read_text())
    path.write_text(json.dumps({**metrics, "settings_digest": "0" * 64}))  # as if made under another config
    result = snakemake(workdir, *tiny_args(), check=False)
    assert re.fullmatch(
        r"ascflow: results/metrics/lstm\.json: was made with other settings than the config gives lstm; .*",
        one_sentence(result),
    )


def test_time_table_lists_only_this_configs_jobs(tiny_run, tmp_path):
    workdir = copy_run(tiny_run, tmp_path / "run")
    stale = workdir / "benchmarks/train_forest/rf_7.tsv"  # from a config with 7 trees, long gone
    shutil.copy(workdir / "benchmarks/train_forest/rf_10.tsv", stale)
    snakemake(workdir, *tiny_args("--forcerun", "render_report"))
    table = (workdir / "reports/report.md").read_text().split("### Time and memory per job", 1)[1]
    assert "| train_forest | rf_10 |" in table and "rf_7" not in table


# ---- faults ------------------------------------------------------------------


def start_training(workdir: Path, config: Path, target: str = "results/models/cnn.keras") -> subprocess.Popen:
    """Snakemake training the CNN in the background, its own process group,
    with Ctrl-C's signal handled as in a terminal: a suite started in the
    background (`nohup`, `cmd &` in a script) passes SIGINT on ignored, and
    Python then never installs its handler."""
    return subprocess.Popen(
        snakemake_command(workdir, target, "--configfile", str(config), "--cores", "2"),
        cwd=workdir,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_epochs(workdir: Path, process: subprocess.Popen, epochs: int) -> None:
    history = workdir / "results/resume/cnn/history.csv"
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and process.poll() is None:
        if history.is_file() and len(history.read_text().splitlines()) > epochs:
            return
        time.sleep(0.05)
    raise AssertionError(f"training did not reach epoch {epochs} while running: {process.poll()}")


def partial_files(workdir: Path) -> list[Path]:
    return [path for path in (workdir / "results").rglob("*") if path.name.startswith(".partial-")]


# How a run is stopped: Ctrl-C in a terminal signals the whole process group;
# a batch system or service manager sends SIGTERM to the group; `kill PID`
# sends SIGTERM to Snakemake alone, which then finishes its running jobs.
STOPS = {
    "ctrl-c": (signal.SIGINT, True),
    "sigterm-to-the-group": (signal.SIGTERM, True),
    "sigterm-to-snakemake": (signal.SIGTERM, False),
}


@pytest.mark.parametrize(("signum", "to_group"), STOPS.values(), ids=STOPS)
def test_stopped_run_completes_with_the_plain_command(tmp_path, signum, to_group):
    # Enough epochs (a tiny one takes under 0.1 s) that the signal lands
    # mid-training, not after the last epoch.
    config = variant_config(tmp_path, cnn={"epochs": 200, "early_stopping_patience": 0})
    snakemake(tmp_path, "results/features/channel/train.npy", "--configfile", str(config), "--cores", "2")
    process = start_training(tmp_path, config)
    wait_for_epochs(tmp_path, process, 3)
    if to_group:
        os.killpg(process.pid, signum)
    else:
        process.send_signal(signum)
    process.communicate(timeout=300)
    assert process.returncode != 0 and not partial_files(tmp_path)
    model = tmp_path / "results/models/cnn.keras"
    # Stopped jobs leave no output; a job Snakemake let finish leaves all of it.
    assert model.exists() == (not to_group)

    # The README's plain re-run: no --unlock, no --rerun-incomplete.
    rerun = snakemake(tmp_path, "results/models/cnn.keras", "--configfile", str(config), "--cores", "2")
    log = (tmp_path / "logs/train_network/cnn.log").read_text()
    if to_group:
        # History rows of 3 epochs were seen; an epoch's checkpoint is written
        # after its history row, so the last whole checkpoint is epoch 2 or later.
        resumed = re.search(r"resuming after epoch (\d+)\b", log)
        assert resumed and int(resumed[1]) >= 2, log[-2000:]
    else:
        assert "Nothing to be done" in rerun.stdout + rerun.stderr
    assert json.loads((tmp_path / "results/models/cnn.train.json").read_text())["epochs_run"] == 200
    assert not partial_files(tmp_path) and not (tmp_path / "results/resume/cnn").exists()


def checkpoint_bytes(workdir: Path) -> int:
    """The size of one CNN checkpoint of the tiny config (weights and Adam's
    state), measured the way training writes it."""
    code = f"""
import sys, json, numpy as np, yaml, keras
from ascflow.models.settings import network_settings
from snakemake.utils import validate
config = yaml.safe_load(open({str(REPO / "tests/config/tiny.yaml")!r}))
validate(config, {str(REPO / "workflow/schemas/config.schema.yaml")!r})  # fills the defaults
settings = network_settings("cnn", config["cnn"])
shape = np.load({str(workdir / "results/features/channel/train.npy")!r}, mmap_mode="r").shape[1:]
from ascflow.models.keras_build import build_model
model = build_model(settings.spec(shape, 4))
model.compile(optimizer=keras.optimizers.Adam(), loss="categorical_crossentropy")
model.optimizer.build(model.trainable_variables)
model.save_weights({str(workdir / "probe.weights.h5")!r})
"""
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, timeout=120)
    size = (workdir / "probe.weights.h5").stat().st_size
    (workdir / "probe.weights.h5").unlink()
    return size


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("mount") is None, reason="mounting a tmpfs needs root")
def test_full_disk_while_checkpointing_keeps_the_last_checkpoint(tmp_path):
    config = variant_config(tmp_path, cnn={"epochs": 6, "early_stopping_patience": 0})
    args = ["--configfile", str(config), "--cores", "2"]
    snakemake(tmp_path, "results/features/channel/train.npy", *args)
    page = os.sysconf("SC_PAGE_SIZE")
    pages = -(-checkpoint_bytes(tmp_path) // page)
    # A small device under results/resume, where the checkpoints go.
    device = tmp_path / "results/resume"
    device.mkdir(parents=True)
    resume = device / "cnn"
    # Room for one checkpoint and the history, not for the next checkpoint
    # beside it (the old one is removed only once the new one is whole).
    size = (pages + pages // 2 + 2) * page
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", device], check=True)
    try:
        result = snakemake(tmp_path, "results/models/cnn.keras", *args, check=False)
        sentence = one_sentence(result)
        assert re.fullmatch(
            r"ascflow: \S+\.weights\.h5: no space left on the device to write it; .*", sentence
        )
        assert "no space left" in (tmp_path / "logs/train_network/cnn.log").read_text()
        checkpoints = sorted(resume.glob("epoch-*.weights.h5"))
        assert len(checkpoints) == 1 and not partial_files(tmp_path)
        kept = int(checkpoints[0].name.split("-")[1].split(".")[0])
        # The last good checkpoint loads (as h5: weights and optimizer state).
        probe = f"import h5py; h5py.File({str(checkpoints[0])!r}, 'r').close()"
        subprocess.run([sys.executable, "-c", probe], check=True, timeout=60)
        # Space freed (the tmpfs grown, its files kept): the plain re-run
        # resumes from that checkpoint and completes.
        subprocess.run(["mount", "-o", "remount,size=64m", device], check=True)
        snakemake(tmp_path, "results/models/cnn.keras", *args)
        assert f"resuming after epoch {kept}" in (tmp_path / "logs/train_network/cnn.log").read_text()
        assert json.loads((tmp_path / "results/models/cnn.train.json").read_text())["epochs_run"] == 6
    finally:
        subprocess.run(["umount", "-l", device], check=False)


def test_second_snakemake_in_the_same_folder_is_refused(tmp_path):
    # Epochs of a few hundred clips, enough of them that the first run is
    # still training while the second plans (Snakemake takes seconds to plan,
    # more with this round's rules: 12 epochs had ended by then).
    epochs = 40
    config = variant_config(
        tmp_path, cnn={"epochs": epochs, "early_stopping_patience": 0}, default_data={"n_train": 480}
    )
    snakemake(tmp_path, "results/features/channel/train.npy", "--configfile", str(config), "--cores", "2")
    first = start_training(tmp_path, config)
    wait_for_epochs(tmp_path, first, 1)
    # As profiles/default runs it (rerun-incomplete): Snakemake 9 checks a
    # running job's incomplete outputs before its lock, and would otherwise
    # refuse with "Incomplete files" instead of naming the lock.
    second = snakemake(
        tmp_path,
        "results/models/cnn.keras",
        "--rerun-incomplete",
        "--configfile",
        str(config),
        "--cores",
        "2",
        check=False,
    )
    assert second.returncode != 0 and "cannot be locked" in second.stdout + second.stderr
    first.communicate(timeout=300)
    assert first.returncode == 0
    assert json.loads((tmp_path / "results/models/cnn.train.json").read_text())["epochs_run"] == epochs


def test_truncated_model_is_named_by_the_evaluation(tiny_run, tmp_path):
    workdir = copy_run(tiny_run, tmp_path / "run")
    model = workdir / "results/models/cnn.keras"
    model.write_bytes(model.read_bytes()[: model.stat().st_size // 2])
    result = snakemake(workdir, *tiny_args(), check=False)
    sentence = one_sentence(result)
    assert sentence.startswith("ascflow: results/models/cnn.keras: is not the file its training wrote")
    assert "Traceback" not in (workdir / "logs/evaluate_model/cnn.log").read_text()
    # The way out the sentence gives: delete it, run again.
    model.unlink()
    snakemake(workdir, *tiny_args())
    assert read_metrics(workdir)["cnn"]["accuracy"] == read_metrics(tiny_run)["cnn"]["accuracy"]
