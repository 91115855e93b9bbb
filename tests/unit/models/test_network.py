"""ascflow.models.network: the batches of an epoch, and the job function end
to end on tiny data."""

import json

import numpy as np
import pytest


def test_batches_hold_every_clip_once_an_epoch_with_its_own_target_reshuffled():
    import keras
    from ascflow.models.network import batches

    keras.utils.set_random_seed(5)
    clips = np.arange(23 * 3 * 2, dtype=np.float32).reshape(23, 3, 2)
    targets = np.eye(23, dtype=np.float32)
    shuffled = batches(clips, targets, batch_size=4, shuffled=True)
    assert shuffled.element_spec[0].shape.as_list() == [None, 3, 2]
    orders = []
    for _ in range(2):
        order = []
        for batch_clips, batch_targets in shuffled:
            rows = np.asarray(batch_targets).argmax(axis=1)
            assert np.array_equal(np.asarray(batch_clips), clips[rows])
            order.extend(rows.tolist())
        assert sorted(order) == list(range(23))
        orders.append(order)
    assert orders[0] != orders[1] and orders[0] != list(range(23))
    in_order = [
        int(row) for _, batch in batches(clips, targets, 4) for row in np.asarray(batch).argmax(axis=1)
    ]
    assert in_order == list(range(23))


@pytest.fixture(scope="module")
def tiny_features(tmp_path_factory):
    folder = tmp_path_factory.mktemp("features")
    rng = np.random.default_rng(0)
    labels = np.arange(40) % 4
    # Class-dependent means so that a network can learn something.
    clips = rng.normal(size=(40, 12, 16)).astype(np.float32) + labels[:, None, None]
    np.save(folder / "channel.npy", clips[..., None])
    np.save(folder / "time_major.npy", np.swapaxes(clips, 1, 2).copy())
    np.save(folder / "labels.npy", labels)
    np.save(folder / "groups.npy", np.arange(40) // 4)  # recordings of 4 clips
    (folder / "summary.json").write_text(json.dumps({"n_classes": 4, "fingerprint": "f" * 64}))
    return folder


@pytest.mark.parametrize("family", ["cnn", "lstm"])
def test_fit_network_job_writes_model_history_and_info(tmp_path, tiny_features, family):
    from ascflow.models.settings import network_settings
    from ascflow.stages.runtime import Runtime
    from ascflow.stages.train import (
        TrainedModel,
        TrainingInputs,
        TrainingSettings,
        TrainModel,
        fit_network_job,
    )

    settings = {
        "cnn": {
            "conv_layers": [
                {"filters": 2, "kernel_size": 3, "padding": "valid"},
                {"filters": 2, "kernel_size": 3, "padding": "same"},
            ],
            "pool_size": 2,
            "early_stopping_patience": 1,
        },
        "lstm": {"units": 3, "kernel_initializer": "he_uniform", "time_major": "transpose"},
    }[family] | {"epochs": 3, "batch_size": 8, "learning_rate": 0.01}
    layout = "channel" if family == "cnn" else "time_major"
    job = TrainModel(
        TrainingInputs(
            features=str(tiny_features / f"{layout}.npy"),
            labels=str(tiny_features / "labels.npy"),
            groups=str(tiny_features / "groups.npy"),
            summary=str(tiny_features / "summary.json"),
        ),
        TrainedModel(
            model=str(tmp_path / f"{family}.keras"),
            history=str(tmp_path / "history.csv"),
            info=str(tmp_path / "info.json"),
        ),
        TrainingSettings(
            model=family,
            settings=network_settings(family, settings),
            validation={"mode": "holdout", "fraction": 0.2, "grouped": True},
            seed=1,
            work_dir=str(tmp_path / "resume"),
            standardize="per_band",
            settings_digest="0" * 64,
        ),
        Runtime(threads=1),
    )
    info = fit_network_job(job)
    history = np.genfromtxt(tmp_path / "history.csv", delimiter=",", names=True)
    assert history.dtype.names == ("epoch", "loss", "accuracy", "val_loss", "val_accuracy", "seconds")
    assert 1 <= info["epochs_run"] == history.size <= 3
    assert info["n_params"] > 0 and info["validation"] == "holdout"
    assert info["split"] == "grouped" and 0 <= info["validation_accuracy"] <= 1
    assert (tmp_path / f"{family}.keras").stat().st_size > 0
    assert not (tmp_path / "resume").exists()  # removed after success
    assert json.loads((tmp_path / "info.json").read_text())["seed"] == 1
    assert info["settings"] == settings  # the typed settings record the section they were parsed from
