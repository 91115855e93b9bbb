"""Random forests on flattened clips (the reference's question 3)."""

from __future__ import annotations

import time

import numpy as np
from sklearn.ensemble import RandomForestClassifier

from ascflow.models.settings import ForestSettings


def train_forest(
    features: np.ndarray, labels: np.ndarray, settings: ForestSettings, seed: int, n_jobs: int
) -> tuple[RandomForestClassifier, dict]:
    """Fit a forest; return it and what the metrics need of its training.
    Every field of ``settings`` is the scikit-learn argument of its name."""
    forest = RandomForestClassifier(**settings.to_config(), random_state=seed, n_jobs=n_jobs)
    started = time.perf_counter()
    # scikit-learn converts to float32 itself; handing it the memory map
    # avoids a float64 copy of the whole training set.
    forest.fit(features, labels)
    info = {
        "train_seconds": time.perf_counter() - started,
        "tree_nodes": int(sum(tree.tree_.node_count for tree in forest.estimators_)),
        "epochs_run": None,
        "best_epoch": None,
        "n_params": None,
        "layer_params": None,
    }
    return forest, info
