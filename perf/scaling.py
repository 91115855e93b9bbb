"""Scaling: a 100-tree forest fit and CNN epochs at growing training sizes,
in this process, through the functions the workflow's jobs call.

Every size trains on the first clips of one generated set, standardized and
laid out as the feature jobs do, and validates on the same small fixed set
of clips after them, so that each epoch's validation pass adds the same cost
whatever the training size.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from ascflow.models.settings import NetworkSettings, forest_settings, network_settings

from perf.line import steady_epoch_seconds
from perf.measure import epoch_flops, median_of, tensorflow_on
from perf.runs import merged_config

#: Trees of the forest fitted at each size (the largest configured forest).
FOREST_TREES = 100

log = logging.getLogger("perf")


@dataclass(frozen=True)
class Point:
    """The figures at one training size."""

    clips: int
    forest_s: float  # one forest's fit, the median of the repeats
    cnn_epoch_s: float  # the median epoch from the second on
    cnn_gflops: float

    @property
    def forest_ms_per_clip(self) -> float:
        return 1e3 * self.forest_s / self.clips

    @property
    def cnn_ms_per_clip(self) -> float:
        return 1e3 * self.cnn_epoch_s / self.clips


@dataclass(frozen=True)
class Clips:
    """The generated training clips in both layouts; validation clips follow
    the first ``n_train``."""

    flat: np.ndarray
    channel: np.ndarray
    labels: np.ndarray
    n_train: int
    n_classes: int

    @property
    def validation(self) -> tuple[np.ndarray, np.ndarray]:
        return np.asarray(self.channel[self.n_train :]), self.labels[self.n_train :]


def measure_scaling(
    workdir: Path, clip_counts: tuple[int, ...], epochs: int, repeats: int, threads: int
) -> list[Point]:
    """The forest's and the CNN's cost at each of ``clip_counts`` training
    clips; the first of the ``epochs`` traces the graph, the others count."""
    tensorflow_on(threads)
    config = merged_config({})
    clips = generate_clips(workdir, max(clip_counts), config)
    cnn = network_settings("cnn", config["cnn"])
    points = []
    for n_clips in clip_counts:
        forest_s = median_of(lambda n=n_clips: forest_seconds(clips, n, config, threads), repeats)
        epoch_s, flops = cnn_epoch(clips, n_clips, cnn, epochs, workdir / f"cnn_{n_clips}")
        points.append(Point(n_clips, forest_s, epoch_s, flops / epoch_s / 1e9))
    return points


def generate_clips(workdir: Path, n_train: int, config: dict) -> Clips:
    """``n_train`` training clips and two validation clips per class, of the
    default data's shape, standardized and written in the forest's and the
    CNN's layouts."""
    from ascflow.data.synthetic import generate_default_data
    from ascflow.data.validation import band_statistics
    from ascflow.features import write_layout
    from ascflow.stages.train import load_features

    shape = config["default_data"]
    paths = generate_default_data(
        workdir,
        n_train=n_train + 2 * shape["n_classes"],
        n_test=shape["n_classes"],
        n_features=shape["n_features"],
        n_frames=shape["n_frames"],
        n_classes=shape["n_classes"],
        seed=config["seed"],
    )
    clips = np.load(paths["X_train"], mmap_mode="r")
    band_mean, band_std = band_statistics(clips)
    for layout in ("flat", "channel"):
        write_layout(clips, workdir / f"{layout}.npy", layout, band_mean, band_std)
    return Clips(
        flat=load_features(workdir / "flat.npy"),
        channel=load_features(workdir / "channel.npy"),
        labels=np.load(paths["y_train"]),
        n_train=n_train,
        n_classes=shape["n_classes"],
    )


def forest_seconds(clips: Clips, n_clips: int, config: dict, threads: int) -> float:
    """One :data:`FOREST_TREES`-tree fit on the first ``n_clips`` clips."""
    from ascflow.models.forest import train_forest

    settings = forest_settings(config["rf"], FOREST_TREES)
    _, info = train_forest(clips.flat[:n_clips], clips.labels[:n_clips], settings, config["seed"], threads)
    return info["train_seconds"]


def cnn_epoch(
    clips: Clips, n_clips: int, settings: NetworkSettings, epochs: int, work_dir: Path
) -> tuple[float, float]:
    """The CNN trained on the first ``n_clips`` clips for ``epochs`` epochs,
    without early stopping: its steady epoch seconds and an epoch's FLOPs."""
    from ascflow.models.keras_build import build_model
    from ascflow.models.network import train_network

    validation = clips.validation
    spec = settings.spec(clips.channel.shape[1:], clips.n_classes)
    fitting = replace(settings.fitting, epochs=epochs, early_stopping_patience=0)
    train = (np.asarray(clips.channel[:n_clips]), clips.labels[:n_clips])
    _, history, _ = train_network(build_model(spec), train, validation, fitting, work_dir, log)
    seconds = steady_epoch_seconds([row["seconds"] for row in history])
    return seconds, epoch_flops(spec, n_clips, validation[1].size)
