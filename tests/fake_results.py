"""The report's fake results: the files the report rules read (metrics,
predictions, histories, parameter tables, the data summary, benchmarks), as
a small run of the shipped config would leave them, and gather_results on
them; and the report made from them, read back by section. No training and
no Snakemake; the report's tests build on them."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import yaml
from ascflow.evaluation import classification_metrics, wilson_interval
from ascflow.models.history import write_history
from ascflow.models.naming import model_names, parse_model_name
from ascflow.report.build import write_report
from ascflow.report.document import build_document
from ascflow.report.figures import render_figures
from ascflow.report.gather import ResultFiles, Results, RunContext, gather_results
from ascflow.report.markdown import write_markdown
from ascflow.report.outputs import figure_outputs
from ascflow.stages.evaluate import (
    CompareModels,
    ComparisonFile,
    MetricsFiles,
    MetricsTables,
    PredictionFiles,
    SummarizeMetrics,
    compare_models,
    summarize_metrics,
)
from support import REPO

CLASS_NAMES = ["beach", "bus", "cafe/restaurant", "car", "city center"]
FAKE_FINGERPRINT = "f" * 64
N_TEST = 200
N_TRAIN = 600
#: The fake accuracy of each base model: the CNN far below, the rest close.
FAKE_ACCURACY = {"rf_10": 0.62, "rf_50": 0.70, "rf_100": 0.72, "cnn": 0.40, "lstm": 0.69}
#: The shipped config, as the report rules would pass it.
CONFIG = yaml.safe_load((REPO / "config/config.yaml").read_text())


def with_changes(config: dict, **sections: dict) -> dict:
    changed = json.loads(json.dumps(config))
    for section, values in sections.items():
        changed[section] = values if not isinstance(values, dict) else {**changed[section], **values}
    return changed


def fake_metrics(name: str, config: dict, rng: np.random.Generator, predictions: Path) -> dict:
    """Metrics as evaluate_model writes them, from fake predictions that hit
    the model's fake accuracy (saved as ``predictions``, one-hot)."""
    parsed = parse_model_name(name)
    true = np.arange(N_TEST) % len(CLASS_NAMES)
    right = rng.permutation(N_TEST) < round(FAKE_ACCURACY[parsed.base] * N_TEST)
    predicted = np.where(right, true, (true + rng.integers(1, len(CLASS_NAMES), N_TEST)) % len(CLASS_NAMES))
    np.save(predictions, np.eye(len(CLASS_NAMES), dtype=np.float32)[predicted])
    network = parsed.family != "rf"
    validation = config["validation"]["mode"] if network else None
    time_major = config["lstm"]["time_major"] if parsed.family == "lstm" else None
    epochs = config[parsed.family]["epochs"] if network else None
    return {
        "model": name,
        "base_model": parsed.base,
        "family": parsed.family,
        "seed": parsed.seed_suffix if parsed.seed_suffix is not None else config["seed"],
        **classification_metrics(true, np.eye(len(CLASS_NAMES))[predicted]),
        "class_names": CLASS_NAMES,
        "train_seconds": 1.5 + 40 * network,
        "epochs_run": epochs,
        "best_epoch": epochs - 1 if network else None,
        "n_params": {"cnn": 562_159, "lstm": 249_839}.get(parsed.family),
        "tree_nodes": None if network else 1_000 * parsed.trees,
        "validation": validation,
        "time_major": time_major,
        "standardize": config["features"]["standardize"],
        # One network on a GPU, to see the report name it.
        "device": "GPU" if parsed.family == "cnn" else "CPU",
        "device_name": "NVIDIA H200" if parsed.family == "cnn" else None,
        "data_fingerprint": FAKE_FINGERPRINT,
        "settings_digest": f"digest of {name}",
        "validation_fraction": config["validation"]["fraction"] if validation == "holdout" else None,
        # Held out whole recordings (the fake data's groups), as the shipped config does.
        "split": "grouped" if validation == "holdout" else None,
        "validation_accuracy": FAKE_ACCURACY[parsed.base] + 0.05 if network else None,
        "settings": config[parsed.family] if network else {**config["rf"], "n_estimators": parsed.trees},
    }


def _layer(name: str, kind: str, shape: list[int], weights: int, biases: int) -> dict:
    return {"layer": name, "type": kind, "output_shape": shape, "weights": weights, "biases": biases}


def _conv1(positions: int, multiplications: int) -> dict:
    """The image CNN's first convolution at one padding."""
    return {
        "output_positions": [positions, positions],
        "taps_per_filter": 75,
        "filters": 32,
        "multiplications": multiplications,
    }


FAKE_PARAMS = {
    "networks": {
        "reference_mlp": {
            "description": "128x128x3 -> Flatten -> Dense 100 ReLU -> Dense 100 ReLU -> Dense 10 softmax",
            "input_shape": [128, 128, 3],
            "layers": [
                _layer("flatten", "flatten", [49152], 0, 0),
                _layer("dense_1", "dense", [100], 4915200, 100),
                _layer("dense_2", "dense", [100], 10000, 100),
                _layer("dense_3", "dense", [10], 1000, 10),
            ],
        },
        "image_cnn_valid": {
            "description": "128x128x3 -> Conv2D 32 5x5 'valid' ReLU -> ... -> Dense 10 softmax",
            "input_shape": [128, 128, 3],
            "layers": [_layer("conv2d_1", "conv2d", [124, 124, 32], 2400, 32)],
        },
    },
    "image_cnn_conv1_multiplications": {"valid": _conv1(124, 36902400), "same": _conv1(128, 39321600)},
}


def fake_params() -> dict:
    """FAKE_PARAMS with the per-layer and total counts filled in, as params.json has them."""
    params = json.loads(json.dumps(FAKE_PARAMS))
    for network in params["networks"].values():
        for layer in network["layers"]:
            total = layer["weights"] + layer["biases"]
            layer.update(params_closed_form=total, multiply_adds=layer["weights"])
        network["total_closed_form"] = sum(layer["params_closed_form"] for layer in network["layers"])
    return params


def write_fake_histories(models_dir: Path, networks: list[str], config: dict) -> None:
    """A training history per network, every epoch the config allows."""
    for name in networks:
        epochs = config[parse_model_name(name).family]["epochs"]
        history = {
            epoch: {
                "epoch": epoch,
                "loss": 2 / epoch,
                "accuracy": 0.3 + 0.6 * epoch / epochs,
                "val_loss": 2.2 / epoch,
                "val_accuracy": 0.25 + 0.5 * epoch / epochs,
                "seconds": 10.0,
            }
            for epoch in range(1, epochs + 1)
        }
        write_history(models_dir / f"{name}.history.csv", history)


def fake_data_summary() -> dict:
    """The built-in data's summary, as validate_data writes it."""
    n = len(CLASS_NAMES)
    counts = {"train": [N_TRAIN // n] * n, "test": [N_TEST // n] * n}
    return {
        "data_dir": "resources/default",
        "source": "synthetic",
        "files": {
            f"{stem}.npy": {"shape": [600, 40, 501], "dtype": "float32", "sha256": f"{index:064x}"}
            for index, stem in enumerate(("X_train", "y_train", "X_test", "y_test"))
        },
        "warnings": [],
        "n_features": 40,
        "n_frames": 501,
        "n_classes": len(CLASS_NAMES),
        "class_names": CLASS_NAMES,
        "label_values": list(range(len(CLASS_NAMES))),
        "labels_mapped": False,
        "class_counts": counts,
        "value_range": {"train": {"min": -80.0, "max": 5.0}, "test": {"min": -79.0, "max": 4.0}},
        "duplicate_clips": 0,
        "fingerprint": FAKE_FINGERPRINT,
        "groups": {"train": 60, "test": 20, "shared": 0},
    }


def write_fake_benchmarks(workdir: Path) -> None:
    """Two jobs' benchmark files: one of a rule's folder, one of a rule without jobs."""
    benchmark = "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"
    (workdir / "benchmarks/validate_data.tsv").write_text(
        benchmark + "0.76\t0:00:00\t267.41\t351\t243\t253\t2\t0\t0\t0.48\n"
    )
    (workdir / "benchmarks/train_forest/rf_10.tsv").write_text(
        benchmark + "3.5\t0:00:03\t512.0\tNA\tNA\tNA\t0\t0\t90\t3.1\n"
    )


def write_fake_results(workdir: Path, config: dict) -> dict:
    """The files the report rules read, under ``workdir``; returns
    gather_results' arguments."""
    rng = np.random.default_rng(0)
    names = model_names(config["rf"]["n_estimators"], config["seeds"])
    metrics_dir, models_dir = workdir / "results/metrics", workdir / "results/models"
    predictions_dir = workdir / "results/predictions"
    folders = (
        metrics_dir,
        models_dir,
        predictions_dir,
        workdir / "results/params",
        workdir / "benchmarks/train_forest",
    )
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
    metrics = [fake_metrics(name, config, rng, predictions_dir / f"{name}.npy") for name in names]
    np.save(workdir / "results/labels_test.npy", np.arange(N_TEST) % len(CLASS_NAMES))
    # The training set of the data summary: 120 clips a class, 10 a recording.
    np.save(workdir / "results/labels_train.npy", np.arange(N_TRAIN) // (N_TRAIN // len(CLASS_NAMES)))
    np.save(workdir / "results/groups_train.npy", np.arange(N_TRAIN) // 10)
    compare_models(
        CompareModels(
            PredictionFiles(
                [str(predictions_dir / f"{name}.npy") for name in names],
                str(workdir / "results/labels_test.npy"),
            ),
            ComparisonFile(str(workdir / "results/comparisons/models.json")),
        )
    )
    for run in metrics:
        (metrics_dir / f"{run['model']}.json").write_text(json.dumps(run))
    summarize_metrics(
        SummarizeMetrics(
            MetricsFiles([str(metrics_dir / f"{name}.json") for name in names]),
            MetricsTables(str(metrics_dir / "summary.tsv"), str(metrics_dir / "aggregate.tsv")),
        )
    )
    networks = [run["model"] for run in metrics if run["family"] != "rf"]
    write_fake_histories(models_dir, networks, config)
    (workdir / "results/params/params.json").write_text(json.dumps(fake_params()))
    (workdir / "results/data").mkdir(parents=True, exist_ok=True)
    (workdir / "results/data/summary.json").write_text(json.dumps(fake_data_summary()))
    write_fake_benchmarks(workdir)
    return {
        "data_summary": workdir / "results/data/summary.json",
        "metrics": [metrics_dir / f"{name}.json" for name in names],
        "summary_table": metrics_dir / "summary.tsv",
        "aggregate_table": metrics_dir / "aggregate.tsv",
        "histories": [models_dir / f"{name}.history.csv" for name in networks],
        "parameters": workdir / "results/params/params.json",
        "benchmarks": [
            workdir / "benchmarks/train_forest/rf_10.tsv",
            workdir / "benchmarks/validate_data.tsv",
            workdir / "benchmarks/train_network/cnn.tsv",  # not written (yet): left out
        ],
        "config": config,
        "repository": workdir,
        "comparisons": workdir / "results/comparisons/models.json",
        "train_labels": workdir / "results/labels_train.npy",
        "train_groups": workdir / "results/groups_train.npy",
        "test_labels": workdir / "results/labels_test.npy",
        "probabilities": [predictions_dir / f"{name}.npy" for name in names],
    }


def gather(inputs: dict, settings_digests: dict[str, str] | None = None) -> Results:
    """gather_results on what write_fake_results wrote."""
    files = ResultFiles(**{key: inputs[key] for key in ResultFiles.__dataclass_fields__ if key in inputs})
    context = RunContext(inputs["config"], settings_digests, inputs["benchmarks"])
    return gather_results(files, context, inputs["repository"])


def _network_budget(parameters: int, macs_per_clip: int) -> dict:
    """A network's row of the complexity section, for a 10 s clip: within the
    MACs, over the memory even at int8."""
    return {
        "parameters": parameters,
        "memory_kb_float32": parameters * 4 / 1024,
        "memory_kb_int8": parameters / 1024,
        "macs_per_clip": macs_per_clip,
        "macs_per_second": macs_per_clip / 10,
        "fits_memory_float32": False,
        "fits_memory_int8": False,
        "fits_macs": True,
    }


def with_complexity_budget(inputs: dict, cnn_parameters: int = 562_159) -> None:
    """params.json with the complexity section count_parameters writes."""
    params = json.loads(inputs["parameters"].read_text())
    params["complexity"] = {
        "limits": {"parameter_memory_kb": 128, "macs_per_second": 30_000_000},  # DCASE's defaults
        "clip_seconds": 10.0,
        "clip_seconds_from": "frames",
        "networks": {
            "cnn": _network_budget(cnn_parameters, 128_000_000),
            "lstm": _network_budget(249_839, 4_856_000),
        },
    }
    inputs["parameters"].write_text(json.dumps(params))


def fake_deployed(run: dict, int8_accuracy: float, float_ops: list[str]) -> dict:
    """A network's results/deployed/<model>.json as measure_deployed writes
    it: Keras and ONNX at the run's accuracy, int8 at ``int8_accuracy``; its
    int8 model one byte a weight and four a bias (one bias per 100 weights)."""
    from ascflow.models.counting import complexity

    def score(accuracy: float, agreement: float) -> dict:
        low, high = wilson_interval(round(accuracy * N_TEST), N_TEST)
        return {"accuracy": accuracy, "ci95_low": low, "ci95_high": high, "log_loss": 1.2 - accuracy,
                "agreement": agreement, "n_correct": round(accuracy * N_TEST)}  # fmt: skip

    parameters, limits = run["n_params"], {"parameter_memory_kb": 128, "macs_per_second": 30_000_000}
    biases = parameters // 101
    by_dtype = {"int32": {"parameters": biases, "bytes": 4 * biases}}
    by_dtype["int8"] = {"parameters": parameters - biases, "bytes": parameters - biases}
    stored = sum(entry["bytes"] for entry in by_dtype.values())
    budget = complexity(parameters, 2_000_000 * (run["family"] == "cnn") + 100_000, 10.0, limits)
    budget |= {"memory_kb_int8_file": stored / 1024, "fits_memory_int8_file": stored / 1024 <= 128}
    return {
        "model": run["model"],
        "family": run["family"],
        "n_test": N_TEST,
        "data_fingerprint": run["data_fingerprint"],
        "settings_digest": run["settings_digest"],
        "reference": "keras",
        "runtimes": {
            "keras": score(run["accuracy"], 1.0),
            "litert": score(int8_accuracy, 0.95),
            "onnx": score(run["accuracy"], 1.0),
        },
        "float_ops": float_ops,
        "memory": {
            "int8_file": {
                "parameters": parameters,
                "bytes": stored,
                "kb": stored / 1024,
                "by_dtype": by_dtype,
            },
            "float32": {"parameters": parameters, "bytes": 4 * parameters, "kb": 4 * parameters / 1024},
        },
        "complexity": {"limits": limits, "clip_seconds": 10.0, "clip_seconds_from": "frames", **budget},
    }


def with_deployed(inputs: dict, float_ops: dict[str, list[str]] | None = None) -> list[dict]:
    """Each network's deployed measurement written beside the fake results
    (int8 0.01 below Keras), listed in ``inputs["deployed"]``; returns them."""
    folder = inputs["parameters"].parent.parent / "deployed"
    folder.mkdir(parents=True, exist_ok=True)
    written, inputs["deployed"] = [], []
    for path in inputs["metrics"]:
        run = json.loads(Path(path).read_text())
        if run["family"] == "rf":
            continue
        facts = fake_deployed(run, run["accuracy"] - 0.01, (float_ops or {}).get(run["model"], []))
        (folder / f"{run['model']}.json").write_text(json.dumps(facts))
        inputs["deployed"].append(folder / f"{run['model']}.json")
        written.append(facts)
    return written


def fake_predictions(inputs: dict, tmp_path: Path, labelled: bool) -> list[Path]:
    """Prediction facts as predict_model writes them, for each fake run."""
    paths = []
    for metrics_path in inputs["metrics"]:
        run = json.loads(metrics_path.read_text())
        facts = {
            "model": run["model"],
            "family": run["family"],
            "source": "/data/new",
            "n_files": 10,
            "inputs": "recordings",
            "extraction": {
                "mixed_down": 10,
                "resampled": 4,
                "padded": 1,
                "cut": 2,
                "sample_rates": {"16000": 4, "44100": 6},
                "channels": {"2": 10},
            },
            "class_names": run["class_names"],
            "predicted_counts": [4, 3, 2, 1, 0],
            "meta": "meta.csv" if labelled else None,
            "labelled": labelled,
            "device_column": "source_label" if labelled else None,
            "data_fingerprint": run["data_fingerprint"],
            "settings_digest": run["settings_digest"],
        }
        if labelled:
            facts.update(
                accuracy=run["accuracy"] - 0.05,
                ci95_low=run["ci95_low"] - 0.1,
                ci95_high=run["ci95_high"],
                macro_f1=0.5,
                log_loss=1.25,
                per_class_recall=[0.1, 0.2, 0.3, 0.4, 0.5],
                per_device={"a": {"n": 6, "accuracy": 0.5}, "b": {"n": 4, "accuracy": 0.75}},
            )
        path = tmp_path / f"{run['model']}.prediction.json"
        path.write_text(json.dumps(facts))
        paths.append(path)
    return paths


def with_fake_folds(inputs: dict, tmp_path: Path) -> None:
    """summarize_folds' table: two grouped folds per model, of accuracy 0.5 and 0.7, log loss 1 and 2."""
    rows = ["model\tfold\tsplit\taccuracy\tlog_loss"]
    for path in inputs["metrics"]:
        model = json.loads(path.read_text())["model"]
        rows += [f"{model}\t1\tgrouped\t0.5\t1.0", f"{model}\t2\tgrouped\t0.7\t2.0"]
    (tmp_path / "folds.tsv").write_text("\n".join(rows) + "\n")
    inputs["folds"] = [tmp_path / "folds.tsv"]


def fake_sweep(criterion: str = "cv") -> dict:
    """The CNN's choice among two variants of its learning rate, as select_variant writes it."""
    variants = [
        {"run": "cnn_lr0.01", "values": {"learning_rate": 0.01}, "score": 0.61, "best_epoch": 5},
        {"run": "cnn_lr0.001", "values": {"learning_rate": 0.001}, "score": 0.58, "best_epoch": None},
    ]
    for variant in variants:
        variant.update(train_seconds=75.0, n_params=562_159)
        if criterion == "cv":
            variant.update(n_folds=3, cv_mean=variant["score"], cv_sd=0.02)
        else:
            variant.update(validation_accuracy=variant["score"])
    return {
        "model": "cnn",
        "criterion": criterion,
        "parameters": ["learning_rate"],
        "selected": "cnn_lr0.01",
        "variants": variants,
        "data_fingerprint": FAKE_FINGERPRINT,
    }


def fake_history(runs: list[dict], previous: dict[str, float]) -> dict:
    """run_history's comparison of ``runs`` with a previous run of the
    accuracies ``previous`` (by model), which trained the CNN for 3 epochs
    where this one trained it for 4."""
    return {
        "ledger": "history/runs.tsv",
        "previous": [
            {"model": model, "accuracy": accuracy, "settings": {"epochs": 3 if model == "cnn" else None}}
            | {"finished": "2024-01-01 10:00", "commit": "abc1234"}
            for model, accuracy in previous.items()
        ],
        "runs": [[{}], [{}]] if previous else [[{}]],
        "this_run": [
            {key: run[key] for key in ("model", "accuracy", "ci95_low", "ci95_high")}
            # The ledger keeps its settings as text.
            | {"settings": json.dumps({"epochs": 4 if run["model"] == "cnn" else None})}
            for run in runs
        ],
    }


# ---- the report made from them, read back ------------------------------------


def render_markdown(inputs: dict, tmp_path: Path) -> str:
    """The Markdown report of the fake results, its figures named but not drawn."""
    results = gather(inputs)
    figures = {key: tmp_path / f"{key}.png" for key in ("accuracy", "per_class_recall", "significance")}
    figures |= {f"training_{n}": tmp_path / "t.png" for n in ("cnn", "lstm")}
    figures |= {f"confusion_{run['model']}": tmp_path / "c.png" for run in results.runs}
    path = tmp_path / "report.md"
    write_markdown(build_document(results, figures), path)
    return path.read_text()


def make_report(
    workdir: Path, config: dict, figures: dict[str, Path] | None = None
) -> tuple[Path, Path, dict]:
    """Fake results, their figures (unless given) and the report; returns the
    Markdown and PDF paths and the figure files."""
    inputs = write_fake_results(workdir, config)
    results = gather(inputs)
    if figures is None:
        outputs = figure_outputs(
            model_names(config["rf"]["n_estimators"], config["seeds"]), str(workdir / "figures")
        )
        figures = {key: Path(figure.path) for key, figure in outputs.items()}
        render_figures(results.runs, results.histories, figures, results.comparisons)
    markdown, pdf = workdir / "reports/report.md", workdir / "reports/report.pdf"
    write_report(results, figures, markdown, pdf)
    return markdown, pdf, figures


def section(markdown: str, heading: str) -> str:
    """The text under a ``##`` heading, up to the next one."""
    return markdown.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]


def table_rows(text: str) -> dict[str, list[str]]:
    """The first table's rows by their first cell, as cells."""
    table = text[text.index("\n|") + 1 :].split("\n\n", 1)[0].splitlines()
    return {cells[0]: cells for cells in (line.strip("| ").split(" | ") for line in table[2:])}


def pdf_text(path: Path) -> str:
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"\s+", " ", text)


needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdfimages") is None,
    reason="poppler-utils (pdftotext, pdfimages) not installed",
)
