"""ascflow.models.augment: each augmentation does what it must on a batch of
either layout, reproducibly under a seed, and nothing when off; a real Keras
training with them on repeats byte for byte; the settings digest moves only
when augmentation is on."""

from __future__ import annotations

import numpy as np
import pytest
from ascflow.models.augment import (
    CHANNEL,
    OFF,
    TIME_MAJOR,
    Augment,
    BatchAugmenter,
    FreqMixStyle,
    SpecAugment,
    augment_batch,
    augment_settings,
    device_filter,
    freq_mixstyle,
    layout_of,
    mixup,
    spec_augment,
)

N_CLIPS, N_BANDS, N_FRAMES = 8, 12, 30
#: The issue's values.
ISSUE = {
    "mixup_alpha": 0.3,
    "freq_mixstyle": {"p": 0.7, "alpha": 0.3},
    "spec_augment": {"freq_masks": 2, "time_masks": 2, "max_width": 8},
    "device_filter_p": 0.5,
}


def clips(layout, seed=0):
    """Clips with per-band means and spreads that differ clip to clip, in the
    CNN's (clips x bands x frames x 1) or the LSTM's (clips x frames x bands) layout."""
    rng = np.random.default_rng(seed)
    means = rng.normal(scale=2.0, size=(N_CLIPS, N_BANDS, 1))
    spreads = rng.uniform(0.5, 2.0, size=(N_CLIPS, N_BANDS, 1))
    bands_frames = (means + spreads * rng.normal(size=(N_CLIPS, N_BANDS, N_FRAMES))).astype(np.float32)
    return bands_frames[..., None] if layout is CHANNEL else np.swapaxes(bands_frames, 1, 2).copy()


def per_band(features, layout):
    """Each clip's bands x frames view."""
    return features[..., 0] if layout is CHANNEL else np.swapaxes(features, 1, 2)


def one_hot(n=N_CLIPS, classes=3):
    return np.eye(classes, dtype=np.float32)[np.arange(n) % classes]


LAYOUTS = pytest.mark.parametrize("layout", [CHANNEL, TIME_MAJOR], ids=["cnn", "lstm"])


def test_layouts_by_the_number_of_axes():
    assert layout_of((4, 40, 501, 1)) is CHANNEL and layout_of((4, 501, 40)) is TIME_MAJOR
    with pytest.raises(ValueError, match="3 or 4 axes"):
        layout_of((4, 20040))


@LAYOUTS
def test_freq_mixstyle_mixes_per_band_statistics_and_keeps_shape_and_batch_mean(layout):
    features = clips(layout)
    rng = np.random.default_rng(3)
    mixed = freq_mixstyle(features, p=1.0, alpha=0.3, rng=rng, layout=layout)
    assert mixed.shape == features.shape and mixed.dtype == features.dtype
    # The partners and weights freq_mixstyle drew (the same generator state).
    replay = np.random.default_rng(3)
    replay.random()
    weights = replay.beta(0.3, 0.3, size=N_CLIPS)
    partners = replay.permutation(N_CLIPS)
    assert not np.array_equal(partners, np.arange(N_CLIPS))
    before, after = per_band(features, layout), per_band(mixed, layout)
    mean_before, mean_after = before.mean(axis=2), after.mean(axis=2)
    std_before, std_after = before.std(axis=2), after.std(axis=2)
    for stat_before, stat_after in ((mean_before, mean_after), (std_before, std_after)):
        low = np.minimum(stat_before, stat_before[partners]) - 1e-3
        high = np.maximum(stat_before, stat_before[partners]) + 1e-3
        assert np.all((stat_after >= low) & (stat_after <= high))
        expected = weights[:, None] * stat_before + (1 - weights[:, None]) * stat_before[partners]
        np.testing.assert_allclose(stat_after, expected, atol=1e-3)
    assert not np.allclose(mean_after, mean_before)
    # Each clip keeps its pattern over the frames: per band, an affine map of the original.
    for clip in range(N_CLIPS):
        for band in range(N_BANDS):
            assert np.corrcoef(before[clip, band], after[clip, band])[0, 1] > 0.999
    # The batch's mean per band is kept: mixing is among its own clips, by
    # weights symmetric about 1/2, so that over draws it stays where it was.
    batch_means = [
        per_band(freq_mixstyle(features, 1.0, 0.3, np.random.default_rng(seed), layout), layout).mean(
            axis=(0, 2)
        )
        for seed in range(400)
    ]
    np.testing.assert_allclose(np.mean(batch_means, axis=0), before.mean(axis=(0, 2)), atol=0.1)


def test_freq_mixstyle_leaves_a_batch_alone_with_probability_one_minus_p():
    features = clips(CHANNEL)
    assert freq_mixstyle(features, 0.0, 0.3, np.random.default_rng(0), CHANNEL) is features
    mixed = [
        not np.array_equal(freq_mixstyle(features, 0.7, 0.3, np.random.default_rng(seed), CHANNEL), features)
        for seed in range(200)
    ]
    assert 0.6 < np.mean(mixed) < 0.8


def test_mixup_keeps_targets_summing_to_one_and_mixes_inputs_and_targets_alike():
    features, targets = clips(TIME_MAJOR), one_hot()
    mixed, mixed_targets = mixup(features, targets, 0.3, np.random.default_rng(1))
    assert mixed.shape == features.shape and mixed_targets.shape == targets.shape
    assert mixed.dtype == features.dtype and mixed_targets.dtype == targets.dtype
    np.testing.assert_allclose(mixed_targets.sum(axis=1), 1.0, rtol=1e-6)
    replay = np.random.default_rng(1)
    weights, partners = replay.beta(0.3, 0.3, size=N_CLIPS), replay.permutation(N_CLIPS)
    for clip in range(N_CLIPS):
        lam = weights[clip]
        np.testing.assert_allclose(
            mixed[clip], lam * features[clip] + (1 - lam) * features[partners[clip]], rtol=1e-5, atol=1e-5
        )
        np.testing.assert_allclose(
            mixed_targets[clip], lam * targets[clip] + (1 - lam) * targets[partners[clip]], atol=1e-6
        )
    assert not np.allclose(mixed_targets, targets)  # soft targets now


def _runs(masked: np.ndarray) -> list[int]:
    """Lengths of the runs of True in a boolean vector."""
    edges = np.diff(np.concatenate([[0], masked.astype(int), [0]]))
    return list(np.flatnonzero(edges == -1) - np.flatnonzero(edges == 1))


@LAYOUTS
def test_spec_augment_masks_whole_bands_and_frames_of_bounded_width(layout):
    features = np.abs(clips(layout)) + 1.0  # no zeros before masking
    widths = {"bands": [], "frames": []}
    for seed in range(30):
        masked = spec_augment(features, 2, 3, 5, np.random.default_rng(seed), layout)
        assert masked.shape == features.shape
        zero = per_band(masked, layout) == 0
        untouched = per_band(masked, layout) == per_band(features, layout)
        assert np.all(zero | untouched)
        for clip in range(N_CLIPS):
            bands = zero[clip].all(axis=1)
            frames = zero[clip].all(axis=0)
            # Every zero lies in a masked band or a masked frame.
            assert np.array_equal(zero[clip], bands[:, None] | frames[None, :])
            # At most 2 runs of bands (3 of frames), each at most 5 wide
            # (two masks may touch: a run is then at most twice as wide).
            assert sum(_runs(bands)) <= 2 * 5 and all(run <= 10 for run in _runs(bands))
            assert sum(_runs(frames)) <= 3 * 5 and len(_runs(frames)) <= 3
            widths["bands"].extend(_runs(bands))
            widths["frames"].extend(_runs(frames))
    assert max(widths["frames"]) >= 5 and min(widths["frames"]) <= 2  # the whole range of widths


def test_spec_augment_off_and_one_mask_of_exact_bound():
    features = clips(CHANNEL) + 10.0
    assert np.array_equal(spec_augment(features, 0, 0, 8, np.random.default_rng(0), CHANNEL), features)
    for seed in range(50):
        zero = per_band(spec_augment(features, 1, 0, 4, np.random.default_rng(seed), CHANNEL), CHANNEL) == 0
        for clip in range(N_CLIPS):
            runs = _runs(zero[clip].all(axis=1))
            assert len(runs) <= 1 and all(run <= 4 for run in runs)
            assert not zero[clip].all(axis=0).any()  # no frame masks asked for


@LAYOUTS
def test_device_filter_adds_a_smooth_gain_per_band_to_every_frame(layout):
    features = clips(layout)
    filtered = device_filter(features, 1.0, np.random.default_rng(4), layout)
    assert filtered.shape == features.shape and filtered.dtype == features.dtype
    gains = per_band(filtered, layout) - per_band(features, layout)
    # The same gain in every frame of a band...
    np.testing.assert_allclose(gains, gains[:, :, :1].repeat(N_FRAMES, axis=2), atol=1e-5)
    curves = gains[:, :, 0]
    # ...different per band and per clip, and smooth: neighbouring bands'
    # gains differ far less than the curve's range.
    assert np.all(curves.std(axis=1) > 0.01) and not np.allclose(curves[0], curves[1])
    steps = np.abs(np.diff(curves, axis=1)).max(axis=1)
    assert np.all(steps < 0.5 * np.ptp(curves, axis=1) + 1e-6)
    assert np.abs(np.diff(curves, n=2, axis=1)).max() < 0.2


def test_device_filter_hears_about_p_of_the_clips_through_a_device():
    features = np.zeros((1000, N_BANDS, 5), dtype=np.float32)
    filtered = device_filter(features, 0.5, np.random.default_rng(0), TIME_MAJOR)
    changed = np.abs(filtered).max(axis=(1, 2)) > 0
    assert 0.45 < changed.mean() < 0.55
    assert device_filter(features, 0.0, np.random.default_rng(0), TIME_MAJOR).max() == 0


def test_settings_are_off_by_default_and_read_the_issues_shape():
    assert not OFF.on and not augment_settings(None).on and not augment_settings({}).on
    off = {
        "mixup_alpha": 0,
        "freq_mixstyle": {"p": 0, "alpha": 0.3},
        "spec_augment": {"freq_masks": 0, "time_masks": 0, "max_width": 8},
        "device_filter_p": 0,
    }
    assert augment_settings(off) == OFF and OFF.description() == "none"
    issue = augment_settings(ISSUE)
    assert issue == Augment(0.3, FreqMixStyle(0.7, 0.3), SpecAugment(2, 2, 8), 0.5) and issue.on
    assert issue.to_config() == ISSUE
    assert "mixup α 0.3" in issue.description() and "Freq-MixStyle p 0.7" in issue.description()
    for key, value in [
        ("mixup_alpha", 0.2),
        ("freq_mixstyle", {"p": 0.5}),
        ("spec_augment", {"time_masks": 1}),
        ("device_filter_p", 0.1),
    ]:
        assert augment_settings({key: value}).on, key


@LAYOUTS
def test_off_is_the_identity_and_on_is_reproducible_under_a_seed(layout):
    features, targets = clips(layout), one_hot()
    same = augment_batch(features, targets, OFF, np.random.default_rng(0))
    assert same[0] is features and same[1] is targets
    issue = augment_settings(ISSUE)
    first = BatchAugmenter(issue, seed=7)
    runs = [[first(features, targets) for _ in range(3)], [BatchAugmenter(issue, 7)(features, targets)]]
    assert all(batch[0].shape == features.shape and batch[1].shape == targets.shape for batch in runs[0])
    assert np.array_equal(runs[0][0][0], runs[1][0][0]) and np.array_equal(runs[0][0][1], runs[1][0][1])
    assert not np.array_equal(runs[0][0][0], runs[0][1][0])  # each batch its own draw
    # A run resumed at batch 2 augments it as the whole run did.
    resumed = BatchAugmenter(issue, 7, first_batch=2)(features, targets)
    assert np.array_equal(resumed[0], runs[0][2][0])
    other_seed = BatchAugmenter(issue, 8)(features, targets)
    assert not np.array_equal(other_seed[0], runs[0][0][0])
    np.testing.assert_allclose(runs[0][0][1].sum(axis=1), 1.0, rtol=1e-6)


def test_the_settings_digest_moves_only_when_augmentation_is_on():
    """With augmentation off (the default) every model's digest, and its
    recorded settings, are what they were; on, the networks' alone move."""
    from ascflow.models.settings import network_settings
    from ascflow.plan import Plan
    from plans import config, laptop, plan

    before = plan().identity
    assert not augment_settings(config()["augment"]).on  # the default, filled by the schema
    without_key = {key: value for key, value in config().items() if key != "augment"}
    assert Plan(without_key, laptop()).identity.settings_digests == before.settings_digests
    on = plan({"augment": ISSUE}).identity
    changed = {m for m in before.roster.models if before.model_digest(m) != on.model_digest(m)}
    assert changed == {"cnn", "lstm"}
    section = on.settings("cnn")
    assert section["augment"] == ISSUE and "augment" not in before.settings("cnn")
    typed = network_settings("cnn", section)
    assert typed.fitting.augment == augment_settings(ISSUE)
    assert typed.to_config()["augment"] == ISSUE
    assert "augment" not in network_settings("cnn", before.settings("cnn")).to_config()


@pytest.fixture(scope="module")
def tiny_features(tmp_path_factory):
    import json

    folder = tmp_path_factory.mktemp("features")
    rng = np.random.default_rng(0)
    labels = np.arange(40) % 4
    clips = rng.normal(size=(40, 12, 16)).astype(np.float32) + labels[:, None, None]
    np.save(folder / "channel.npy", clips[..., None])
    np.save(folder / "time_major.npy", np.swapaxes(clips, 1, 2).copy())
    np.save(folder / "labels.npy", labels)
    np.save(folder / "groups.npy", np.arange(40) // 4)
    (folder / "summary.json").write_text(json.dumps({"n_classes": 4, "fingerprint": "f" * 64}))
    return folder


def _train(folder, tmp_path, family, augment):
    """A real Keras training job (fit_network_job) of a tiny network; returns
    its facts and its weights."""
    import keras
    from ascflow.models.settings import network_settings
    from ascflow.stages.runtime import Runtime
    from ascflow.stages.train import (
        TrainedModel,
        TrainingInputs,
        TrainingSettings,
        TrainModel,
        fit_network_job,
    )

    section = {
        "cnn": {
            "conv_layers": [{"filters": 2, "kernel_size": 3, "padding": "valid"}],
            "pool_size": 2,
            "early_stopping_patience": 0,
        },
        "lstm": {"units": 3, "kernel_initializer": "he_uniform", "time_major": "transpose"},
    }[family] | {"epochs": 2, "batch_size": 8, "learning_rate": 0.01}
    if augment:
        section["augment"] = augment
    layout = "channel" if family == "cnn" else "time_major"
    tmp_path.mkdir(parents=True, exist_ok=True)
    job = TrainModel(
        TrainingInputs(
            features=str(folder / f"{layout}.npy"),
            labels=str(folder / "labels.npy"),
            groups=str(folder / "groups.npy"),
            summary=str(folder / "summary.json"),
        ),
        TrainedModel(
            model=str(tmp_path / f"{family}.keras"),
            history=str(tmp_path / "history.csv"),
            info=str(tmp_path / "info.json"),
        ),
        TrainingSettings(
            model=family,
            settings=network_settings(family, section),
            validation={"mode": "holdout", "fraction": 0.2, "grouped": True},
            seed=1,
            work_dir=str(tmp_path / "resume"),
            settings_digest="0" * 64,
        ),
        Runtime(threads=1),
    )
    info = fit_network_job(job)
    return info, keras.saving.load_model(tmp_path / f"{family}.keras").get_weights()


@pytest.mark.parametrize("family", ["cnn", "lstm"])
def test_a_keras_training_with_augmentation_repeats_exactly_and_augments_training_batches_only(
    tmp_path, tiny_features, family, monkeypatch
):
    from ascflow.models import augment as augment_module

    seen = []
    original = augment_module.BatchAugmenter.__call__

    def counted(self, features, targets):
        seen.append((features.shape, targets.shape))
        return original(self, features, targets)

    monkeypatch.setattr(augment_module.BatchAugmenter, "__call__", counted)
    info, weights = _train(tiny_features, tmp_path / "first", family, ISSUE)
    assert info["settings"]["augment"] == ISSUE
    # 32 training clips (8 recordings held out) in batches of 8, 2 epochs:
    # the training batches alone pass through the augmenter, each once.
    assert info["epochs_run"] == 2 and len(seen) == 2 * 4
    assert all(shape[1:] == {"cnn": (12, 16, 1), "lstm": (16, 12)}[family] for shape, _ in seen)
    again_info, again = _train(tiny_features, tmp_path / "again", family, ISSUE)
    assert all(np.array_equal(a, b) for a, b in zip(weights, again, strict=True))
    assert again_info["validation_accuracy"] == info["validation_accuracy"]
    seen.clear()
    plain_info, plain = _train(tiny_features, tmp_path / "plain", family, None)
    assert not seen and "augment" not in plain_info["settings"]
    assert not all(np.array_equal(a, b) for a, b in zip(weights, plain, strict=True))


def test_the_reports_training_table_names_the_augmentations():
    from ascflow.report.sections.training import augmentation_text

    assert augmentation_text({"settings": {"epochs": 2}}) == "none"
    assert augmentation_text({"settings": {"augment": ISSUE}}) == (
        "device filter p 0.5, Freq-MixStyle p 0.7 α 0.3, SpecAugment 2 band and 2 frame masks ≤ 8 wide, "
        "mixup α 0.3"
    )
