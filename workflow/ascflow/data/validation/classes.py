"""The classes both splits' labels hold: of one kind (numbers or names), at
least two, each with enough training clips for the stratified validation
split and none in the test set alone; in the order and with the names the
config or ``classes.txt`` gives, and the labels mapped to ``0..K-1``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ascflow.data.validation.folder import CLASSES_FILE, SPLITS
from ascflow.data.validation.names import ClipNames, first_index
from ascflow.errors import AscflowError

#: Training clips each class needs at least: the networks' validation split
#: is stratified, and takes one of them.
MIN_TRAIN_PER_CLASS = 2


@dataclass(frozen=True)
class Classes:
    """The classes of a data folder and the names given them, if any."""

    values: np.ndarray  # the label values, in class order
    named: bool  # the labels are names, not numbers
    given: list[str] | None  # names from the config or classes.txt
    source: str  # where ``given`` came from, for sentences about it

    @property
    def mapped(self) -> bool:
        """Whether a label's class index is other than the label itself."""
        return self.named or not np.array_equal(self.values, np.arange(self.values.size))


def given_class_names(data_dir: Path, configured: list[str] | None) -> tuple[list[str] | None, str]:
    """Class names from the config, else ``classes.txt`` beside the data, and where they came from."""
    if configured:
        return list(configured), "config key class_names"
    classes_file = data_dir / CLASSES_FILE
    if classes_file.is_file():
        return [line.strip() for line in classes_file.read_text().splitlines() if line.strip()], str(
            classes_file
        )
    return None, ""


def read_classes(
    labels: dict[str, np.ndarray],
    data_dir: Path,
    configured: list[str] | None,
    min_train_per_class: int,
    names: ClipNames,
) -> Classes:
    """The classes of both splits' labels (by split, as :func:`read_labels
    <ascflow.data.validation.labels.read_labels>` reads them), with the
    names ``configured`` or ``classes.txt`` gives; refused where a model
    could not learn or be tested on them."""
    train, test = labels["train"], labels["test"]
    named = train.dtype.kind == "U"
    if named != (test.dtype.kind == "U"):
        kinds = ("names", "numbers") if named else ("numbers", "names")
        raise AscflowError(
            f"{names.array('y_test')}: labels are {kinds[1]} but {names.array('y_train')}'s are {kinds[0]}; "
            "use one kind."
        )
    given, source = given_class_names(data_dir, configured)
    values = _in_label_order(train, given, source, names)
    if values.size < 2:
        raise AscflowError(f"{names.array('y_train')}: holds {values.size} class; at least 2 are needed.")
    unseen = np.setdiff1d(np.unique(test), values)
    if unseen.size:
        raise AscflowError(
            f"{names.array('y_test')}: class {unseen[0]} occurs in the test set but never in "
            f"{names.array('y_train')} ({unseen.size} such classes; first in "
            f"{names.clip('test', first_index(test, unseen[0]))})."
        )
    _check_training_clips(values, train, test, min_train_per_class, names)
    return Classes(values, named, given, source)


def _in_label_order(train: np.ndarray, given: list[str] | None, source: str, names: ClipNames) -> np.ndarray:
    """The classes in label order: named labels in the order of the given
    names (which must name every training label), else sorted."""
    if train.dtype.kind != "U" or not given:
        return np.unique(train)
    unknown = sorted(set(train.tolist()) - set(given))
    if unknown:
        raise AscflowError(
            f"{names.array('y_train')}: label {unknown[0]!r} is not among the class names of {source} "
            f"(first in {names.clip('train', first_index(train, unknown[0]))})."
        )
    return np.array(given)


def _check_training_clips(
    classes: np.ndarray, train: np.ndarray, test: np.ndarray, min_train_per_class: int, names: ClipNames
) -> None:
    """Each class needs ``min_train_per_class`` training clips; the rarest
    short of them is named with its clips (or, with none, its first test clip)."""
    counts = np.array([(train == c).sum() for c in classes])
    if counts.min() >= min_train_per_class:
        return
    rare = classes[counts.argmin()]
    if counts.min():
        where = [names.clip("train", int(index)) for index in np.flatnonzero(train == rare)]
        where = f" ({', '.join(where)})"
    elif (test == rare).any():
        where = f" (first in the test set: {names.clip('test', first_index(test, rare))})"
    else:
        where = ""
    raise AscflowError(
        f"{names.array('y_train')}: class {rare} has {counts.min()} training clip(s){where}; "
        f"each class needs at least {min_train_per_class} for the stratified validation split."
    )


def class_indices(
    labels: dict[str, np.ndarray], classes: Classes, warnings: list[str]
) -> dict[str, np.ndarray]:
    """Each split's labels as class indices ``0..K-1``; numbers mapped to
    other numbers are a warning, as a reader of the results may not expect it."""
    values = classes.values.tolist()
    if classes.mapped and not classes.named:
        warnings.append(f"labels {values} were mapped to 0..{len(values) - 1} in that order")
    index = {value: position for position, value in enumerate(values)}
    return {
        split: np.array([index[value] for value in labels[split].tolist()], dtype=np.int64)
        for split in SPLITS
    }


def class_names_of(classes: Classes) -> list[str]:
    """The names the results give the classes: the labels themselves where
    they are names, else the given names (one a class), else the numbers."""
    if classes.named:
        return [str(name) for name in classes.values]
    if classes.given is None:
        return [str(k) for k in range(classes.values.size)]
    if len(classes.given) != classes.values.size:
        raise AscflowError(
            f"{classes.source}: lists {len(classes.given)} class names but the labels hold "
            f"{classes.values.size} classes."
        )
    return classes.given
