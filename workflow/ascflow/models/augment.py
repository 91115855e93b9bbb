"""Augmentations of the networks' training batches (the config's ``augment``):
mixup, Freq-MixStyle, SpecAugment's frequency and time masks, and random
device-like frequency responses.

Each is a few NumPy operations on one batch, driven by an explicit
``np.random.Generator``: the same generator state gives the same batch, so
a run repeated with the same seed trains byte-identical models. They act on
the standardized log-mel clips the networks read, in either layout:

* the CNN's, clips x bands x frames x 1 (:data:`CHANNEL`), and
* the LSTM's time-major view, clips x frames x bands (:data:`TIME_MAJOR`).

(The LSTM's ``time_major: reshape`` scrambles bands and frames: there the
last axis is treated as bands although it is not.)

Only training batches are augmented (:class:`BatchAugmenter`, called by
:func:`ascflow.models.network.batches`); validation, the test set and the
evaluation never are. Everything off (:data:`OFF`, the default) changes
nothing, not even a network's settings digest.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass

import numpy as np

__all__ = [
    "CHANNEL",
    "OFF",
    "TIME_MAJOR",
    "Augment",
    "BatchAugmenter",
    "FreqMixStyle",
    "Layout",
    "SpecAugment",
    "augment_batch",
    "augment_settings",
    "device_filter",
    "freq_mixstyle",
    "layout_of",
    "mixup",
    "spec_augment",
]


@dataclass(frozen=True)
class Layout:
    """Which axes of a batch are the mel bands and the frames."""

    bands_axis: int
    frames_axis: int


#: The CNN's clips x bands x frames x 1.
CHANNEL = Layout(bands_axis=1, frames_axis=2)
#: The LSTM's clips x frames x bands.
TIME_MAJOR = Layout(bands_axis=2, frames_axis=1)


def layout_of(shape: tuple[int, ...]) -> Layout:
    """A batch's layout from its shape: 4 axes are the CNN's, 3 the LSTM's."""
    if len(shape) == 4:
        return CHANNEL
    if len(shape) == 3:
        return TIME_MAJOR
    raise ValueError(f"no augmentation for batches of shape {shape}: expected 3 or 4 axes")


@dataclass(frozen=True)
class FreqMixStyle:
    """With probability ``p`` a batch's clips take per-band means and standard
    deviations mixed with another clip's, by a Beta(alpha, alpha) weight."""

    p: float = 0.0
    alpha: float = 0.3


@dataclass(frozen=True)
class SpecAugment:
    """Masks per clip: ``freq_masks`` runs of bands and ``time_masks`` runs of
    frames, each 0 to ``max_width`` wide, set to 0 (the standardized mean)."""

    freq_masks: int = 0
    time_masks: int = 0
    max_width: int = 8


@dataclass(frozen=True)
class Augment:
    """The config's ``augment`` section, typed."""

    mixup_alpha: float = 0.0  # 0: off
    freq_mixstyle: FreqMixStyle = FreqMixStyle()
    spec_augment: SpecAugment = SpecAugment()
    device_filter_p: float = 0.0  # 0: off

    @property
    def on(self) -> bool:
        """Whether any augmentation changes a batch."""
        return bool(
            self.mixup_alpha > 0
            or self.freq_mixstyle.p > 0
            or (
                self.spec_augment.max_width > 0
                and (self.spec_augment.freq_masks or self.spec_augment.time_masks)
            )
            or self.device_filter_p > 0
        )

    def to_config(self) -> dict:
        """The section as the config gives it."""
        return asdict(self)

    def description(self) -> str:
        """The augmentations that are on, in a few words (the report's)."""
        parts = []
        if self.device_filter_p > 0:
            parts.append(f"device filter p {self.device_filter_p:g}")
        if self.freq_mixstyle.p > 0:
            parts.append(f"Freq-MixStyle p {self.freq_mixstyle.p:g} α {self.freq_mixstyle.alpha:g}")
        masks = self.spec_augment
        if masks.max_width > 0 and (masks.freq_masks or masks.time_masks):
            parts.append(
                f"SpecAugment {masks.freq_masks} band and {masks.time_masks} frame masks "
                f"≤ {masks.max_width} wide"
            )
        if self.mixup_alpha > 0:
            parts.append(f"mixup α {self.mixup_alpha:g}")
        return ", ".join(parts) or "none"


OFF = Augment()


def augment_settings(section: Mapping | None) -> Augment:
    """The ``augment`` section (as the schema validated and filled it; keys
    left out take their defaults, which are off) as :class:`Augment`."""
    section = section or {}
    return Augment(
        mixup_alpha=float(section.get("mixup_alpha", OFF.mixup_alpha)),
        freq_mixstyle=FreqMixStyle(**{k: float(v) for k, v in (section.get("freq_mixstyle") or {}).items()}),
        spec_augment=SpecAugment(**{k: int(v) for k, v in (section.get("spec_augment") or {}).items()}),
        device_filter_p=float(section.get("device_filter_p", OFF.device_filter_p)),
    )


def _per_clip(values: np.ndarray, ndim: int) -> np.ndarray:
    """Per-clip values shaped to broadcast over a batch of ``ndim`` axes."""
    return values.reshape((-1,) + (1,) * (ndim - 1))


def mixup(
    features: np.ndarray, targets: np.ndarray, alpha: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Each clip mixed with a partner of the batch (a permutation): inputs and
    targets by the same weight λ ~ Beta(alpha, alpha), one per clip (Zhang et
    al. 2018). Target rows that sum to 1 still do."""
    n = features.shape[0]
    weights = rng.beta(alpha, alpha, size=n)
    partners = rng.permutation(n)
    lam_x = _per_clip(weights, features.ndim)
    lam_y = _per_clip(weights, targets.ndim)
    mixed = lam_x * features + (1 - lam_x) * features[partners]
    mixed_targets = lam_y * targets + (1 - lam_y) * targets[partners]
    return mixed.astype(features.dtype), mixed_targets.astype(targets.dtype)


#: Added to a band's variance before its square root (Freq-MixStyle).
EPSILON = 1e-6


def freq_mixstyle(
    features: np.ndarray, p: float, alpha: float, rng: np.random.Generator, layout: Layout
) -> np.ndarray:
    """Freq-MixStyle (Kim et al. 2022; Schmid et al., DCASE 2022-2024): with
    probability ``p`` the batch's clips are normalized per band (mean and
    standard deviation over the frames, and the channel) and take the
    statistics of a mix of their own and a partner's, by λ ~ Beta(alpha,
    alpha) per clip. A clip keeps its shape and its frame-to-frame pattern;
    only its spectral colour moves towards another clip's."""
    if rng.random() >= p:
        return features
    n = features.shape[0]
    over = tuple(axis for axis in range(1, features.ndim) if axis != layout.bands_axis)
    mean = features.mean(axis=over, keepdims=True, dtype=np.float64)
    std = np.sqrt(features.var(axis=over, keepdims=True, dtype=np.float64) + EPSILON)
    weights = _per_clip(rng.beta(alpha, alpha, size=n), features.ndim)
    partners = rng.permutation(n)
    mixed_mean = weights * mean + (1 - weights) * mean[partners]
    mixed_std = weights * std + (1 - weights) * std[partners]
    return ((features - mean) / std * mixed_std + mixed_mean).astype(features.dtype)


def _mask_runs(size: int, count: int, max_width: int, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` x ``size`` booleans: per clip, ``count`` runs of 0 to
    ``max_width`` (at most ``size``) consecutive positions."""
    masked = np.zeros((n, size), dtype=bool)
    positions = np.arange(size)
    for _ in range(count):
        widths = rng.integers(0, min(max_width, size) + 1, size=n)
        starts = rng.integers(0, size - widths + 1)
        masked |= (positions >= starts[:, None]) & (positions < (starts + widths)[:, None])
    return masked


def spec_augment(
    features: np.ndarray,
    freq_masks: int,
    time_masks: int,
    max_width: int,
    rng: np.random.Generator,
    layout: Layout,
) -> np.ndarray:
    """SpecAugment's masks (Park et al. 2019), per clip: ``freq_masks`` runs of
    bands and ``time_masks`` runs of frames, each of a width drawn from 0 to
    ``max_width``, set to 0: the mean of standardized features."""
    n = features.shape[0]
    out = features.copy()
    for axis, count in ((layout.bands_axis, freq_masks), (layout.frames_axis, time_masks)):
        if count <= 0 or max_width <= 0:
            continue
        masked = _mask_runs(features.shape[axis], count, max_width, n, rng)
        shape = [1] * features.ndim
        shape[0], shape[axis] = n, features.shape[axis]
        out = np.where(masked.reshape(shape), np.zeros((), dtype=features.dtype), out)
    return out


#: The device filter's gain curve: a cosine series over the bands up to this
#: order (smooth: a response that rises or falls over a few bands, not per band)...
DEVICE_ORDER = 4
#: ...whose k-th term has the standard deviation DEVICE_GAIN / k (the constant term
#: DEVICE_GAIN), in units of the standardized features (about a band's spread over
#: clips: log-mel energies vary by some 10 dB per band, devices by a few dB).
DEVICE_GAIN = 0.3


def device_gains(n_bands: int, n_clips: int, rng: np.random.Generator) -> np.ndarray:
    """``n_clips`` random smooth gain curves over ``n_bands`` (log-mel: added)."""
    position = (np.arange(n_bands) + 0.5) / n_bands
    orders = np.arange(DEVICE_ORDER + 1)
    basis = np.cos(np.pi * orders[:, None] * position[None, :])  # orders x bands
    scale = DEVICE_GAIN / np.maximum(orders, 1)
    coefficients = rng.normal(size=(n_clips, orders.size)) * scale
    return coefficients @ basis


def device_filter(features: np.ndarray, p: float, rng: np.random.Generator, layout: Layout) -> np.ndarray:
    """With probability ``p`` per clip, the clip as heard through a random
    device-like frequency response: a smooth gain curve over the bands,
    added to every frame (a product of spectra is a sum of log-mel energies).
    The stand-in for recorded device impulse responses."""
    n = features.shape[0]
    chosen = rng.random(n) < p
    gains = device_gains(features.shape[layout.bands_axis], n, rng) * chosen[:, None]
    shape = [1] * features.ndim
    shape[0], shape[layout.bands_axis] = n, features.shape[layout.bands_axis]
    return (features + gains.reshape(shape)).astype(features.dtype)


def augment_batch(
    features: np.ndarray, targets: np.ndarray, settings: Augment, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """One training batch augmented: device filter, Freq-MixStyle, masks,
    then mixup (which mixes the targets too); each only where it is on, so
    that one turned off draws nothing from ``rng``."""
    if not settings.on:
        return features, targets
    layout = layout_of(features.shape)
    if settings.device_filter_p > 0:
        features = device_filter(features, settings.device_filter_p, rng, layout)
    if settings.freq_mixstyle.p > 0:
        features = freq_mixstyle(
            features, settings.freq_mixstyle.p, settings.freq_mixstyle.alpha, rng, layout
        )
    masks = settings.spec_augment
    if masks.max_width > 0 and (masks.freq_masks or masks.time_masks):
        features = spec_augment(features, masks.freq_masks, masks.time_masks, masks.max_width, rng, layout)
    if settings.mixup_alpha > 0:
        features, targets = mixup(features, targets, settings.mixup_alpha, rng)
    return features, targets


class BatchAugmenter:
    """Augments a training run's batches in the order they are drawn: batch
    ``b`` (counted over the run's epochs) with a generator of its own, seeded
    by (``seed``, ``b``), so that a run resumed after epoch ``e`` (starting at
    batch ``e`` x batches per epoch) augments its remaining batches as the
    whole run would have."""

    def __init__(self, settings: Augment, seed: int, first_batch: int = 0):
        self.settings = settings
        self.seed = int(seed)
        self.batch = int(first_batch)

    def __call__(self, features: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        rng = np.random.default_rng([self.seed, self.batch])
        self.batch += 1
        return augment_batch(features, targets, self.settings, rng)
