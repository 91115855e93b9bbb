"""Each model family's settings, parsed once from its config section.

The config's ``rf``, ``cnn`` and ``lstm`` sections reach the rules as plain
dicts (Snakemake hashes ``params:`` as text). :func:`forest_settings` and
:func:`network_settings` turn a section into a frozen, typed
:class:`ForestSettings` or :class:`NetworkSettings` once (:func:`run_settings`
by a run's name, where a stage's request is built); the plan, training,
parameter counting and the benchmark all read those objects, and their
``to_config`` gives the section back, which is what the plan hashes into a
model's digest and a job records as the settings it used.

The architecture is split from the fitting schedule so that a rule that only
counts parameters depends on the architecture keys alone
(:data:`ARCHITECTURE_KEYS`): changing the epochs re-runs training, not the
count.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields

from ascflow.models.augment import Augment, augment_settings
from ascflow.models.distill import DistillSettings, distill_settings
from ascflow.models.input_fit import check_input_fits
from ascflow.models.naming import NETWORK_FAMILIES, parse_model_name
from ascflow.models.specs import NetworkSpec, cnn_spec, lstm_spec

__all__ = [
    "NETWORK_FAMILIES",
    "ForestSettings",
    "NetworkSettings",
    "architecture",
    "forest_settings",
    "network_settings",
    "run_settings",
]


@dataclass(frozen=True)
class ForestSettings:
    """A random forest's settings: each field is the ``rf`` section's key and
    scikit-learn's ``RandomForestClassifier`` argument of its name, so that a
    new option is a schema key and a field (and the code that reads it)."""

    n_estimators: int  # the model's tree count: one model rf_<trees> per entry of the section's list
    max_features: str | float  # sqrt, log2, or a fraction of the features
    min_samples_leaf: int

    def to_config(self) -> dict:
        """The settings as the plan hashes them and a job records them."""
        return asdict(self)


def forest_settings(section: Mapping, n_estimators: int) -> ForestSettings:
    """One forest's settings: its tree count, and every other field from the
    ``rf`` section's key of its name (values as validated by the schema)."""
    given = {"n_estimators": n_estimators}
    return ForestSettings(
        **given,
        **{field.name: section[field.name] for field in fields(ForestSettings) if field.name not in given},
    )


#: The keys of each family's config section that shape the network itself.
ARCHITECTURE_KEYS = {
    "cnn": ("conv_layers", "pool_size", "batch_norm", "global_pooling", "dense_units", "dropout"),
    "lstm": ("units", "kernel_initializer"),
}

#: The small networks' options of the cnn section and of each of its
#: conv_layers, with the values that leave the study's CNN as it was. A
#: section (or convolution) holding these values is the same network, so
#: :func:`without_default_options` drops them before anything is hashed or
#: recorded: the study's CNN keeps its settings digest.
CNN_OPTIONS = {"batch_norm": False, "global_pooling": False, "dense_units": [], "dropout": 0.0}
CONV_OPTIONS = {"strides": 1, "separable": False, "pool": True}


def without_default_options(family: str, section: Mapping) -> dict:
    """A family's section (or part of it) less the small networks' options
    at their defaults (:data:`CNN_OPTIONS`, :data:`CONV_OPTIONS`)."""
    section = dict(section)
    if family != "cnn":
        return section
    for key, default in CNN_OPTIONS.items():
        if key in section and section[key] == default:
            del section[key]
    if "conv_layers" in section:
        section["conv_layers"] = [
            {
                key: value
                for key, value in conv.items()
                if key not in CONV_OPTIONS or CONV_OPTIONS[key] != value
            }
            for conv in section["conv_layers"]
        ]
    return section


@dataclass(frozen=True)
class ConvLayer:
    filters: int
    kernel_size: int
    padding: str
    strides: int = 1
    separable: bool = False  # depthwise k x k, then pointwise 1 x 1
    pool: bool = True  # the max pool after it


@dataclass(frozen=True)
class CnnArchitecture:
    """Convolution blocks (Conv2D + ReLU, then a max pool), flatten, softmax;
    the small networks' options (:data:`CNN_OPTIONS`) off by default."""

    conv_layers: tuple[ConvLayer, ...]
    pool_size: int
    batch_norm: bool = False
    global_pooling: bool = False
    dense_units: tuple[int, ...] = ()
    dropout: float = 0.0

    def spec(self, input_shape: tuple[int, ...], n_classes: int) -> NetworkSpec:
        return cnn_spec(
            input_shape,
            n_classes,
            [asdict(conv) for conv in self.conv_layers],
            self.pool_size,
            batch_norm=self.batch_norm,
            global_pooling=self.global_pooling,
            dense_units=self.dense_units,
            dropout=self.dropout,
        )


@dataclass(frozen=True)
class LstmArchitecture:
    """An LSTM returning sequences, flatten, softmax."""

    units: int
    kernel_initializer: str

    def spec(self, input_shape: tuple[int, ...], n_classes: int) -> NetworkSpec:
        return lstm_spec(input_shape, n_classes, self.units, self.kernel_initializer)


Architecture = CnnArchitecture | LstmArchitecture


@dataclass(frozen=True)
class Fitting:
    """How a network is fitted: Adam, mini-batches, an epoch budget."""

    learning_rate: float
    batch_size: int
    epochs: int
    #: Epochs without a better validation accuracy before stopping; 0: off.
    early_stopping_patience: int = 0
    #: The training batches' augmentations (the config's ``augment``, which
    #: the plan adds to a network's section only when on); None: off.
    augment: Augment | None = None


@dataclass(frozen=True)
class NetworkSettings:
    family: str
    architecture: Architecture
    fitting: Fitting
    #: The LSTM's (time, features) view of a clip: transpose, or the
    #: reference's reshape; None for the CNN.
    time_major: str | None = None
    #: The distilled CNN's teachers, temperature and soft loss's weight
    #: (:class:`ascflow.models.distill.DistillSettings`); None for the others.
    distill: DistillSettings | None = None

    def spec(self, input_shape: tuple[int, ...], n_classes: int) -> NetworkSpec:
        """The network for inputs of ``input_shape``; one sentence if they are too small."""
        spec = self.architecture.spec(tuple(input_shape), n_classes)
        check_input_fits(spec)
        return spec

    def to_config(self) -> dict:
        """The config section these settings were parsed from."""
        section = {**asdict(self.architecture), **asdict(self.fitting)}
        if section["augment"] is None:
            del section["augment"]  # off: the section (and its digest) as without augmentation
        if self.family == "cnn":
            section["conv_layers"] = [asdict(conv) for conv in self.architecture.conv_layers]
            section["dense_units"] = list(self.architecture.dense_units)
            section = without_default_options("cnn", section)
        else:
            del section["early_stopping_patience"]  # the LSTM has none
            section["time_major"] = self.time_major
        if self.distill is not None:
            section["distill"] = {**self.distill.to_config(), "teacher_digests": dict(self.distill.digests)}
        return section


def architecture(family: str, section: Mapping) -> Architecture:
    """The architecture part of a family's config section (other keys ignored)."""
    if family == "cnn":
        return CnnArchitecture(
            conv_layers=tuple(
                ConvLayer(
                    int(conv["filters"]),
                    int(conv["kernel_size"]),
                    str(conv["padding"]),
                    strides=int(conv.get("strides", CONV_OPTIONS["strides"])),
                    separable=bool(conv.get("separable", CONV_OPTIONS["separable"])),
                    pool=bool(conv.get("pool", CONV_OPTIONS["pool"])),
                )
                for conv in section["conv_layers"]
            ),
            pool_size=int(section["pool_size"]),
            batch_norm=bool(section.get("batch_norm", False)),
            global_pooling=bool(section.get("global_pooling", False)),
            dense_units=tuple(int(units) for units in section.get("dense_units", ())),
            dropout=float(section.get("dropout", 0.0)),
        )
    if family == "lstm":
        return LstmArchitecture(
            units=int(section["units"]), kernel_initializer=str(section["kernel_initializer"])
        )
    raise ValueError(f"not a network family: {family!r}")


def _augment(section: Mapping | None) -> Augment | None:
    augment = augment_settings(section)
    return augment if augment.on else None


def network_settings(family: str, section: Mapping) -> NetworkSettings:
    """Parse a family's whole config section (as validated by the schema)."""
    return NetworkSettings(
        family=family,
        architecture=architecture(family, section),
        fitting=Fitting(
            learning_rate=float(section["learning_rate"]),
            batch_size=int(section["batch_size"]),
            epochs=int(section["epochs"]),
            early_stopping_patience=int(section.get("early_stopping_patience", 0)),
            augment=_augment(section.get("augment")),
        ),
        time_major=str(section["time_major"]) if family == "lstm" else None,
        distill=distill_settings(section["distill"]) if section.get("distill") else None,
    )


def run_settings(run: str, section: Mapping) -> ForestSettings | NetworkSettings:
    """A training run's settings (a forest's tree count and rf keys, or a
    network's section, as the plan gives them), typed by the run's family."""
    family = parse_model_name(run).family
    if family == "rf":
        return forest_settings(section, section["n_estimators"])
    return network_settings(family, section)
