"""The study's networks as specs, and the small settings the counting tests
share: one definition for every test that counts parameters."""

from __future__ import annotations

from ascflow.models.specs import REFERENCE_CONV_LAYERS, cnn_spec, lstm_spec

#: The study's spectrogram CNN convolutions (question 4).
REFERENCE_CONVS = list(REFERENCE_CONV_LAYERS)


def reference_cnn(n_features: int = 40, n_frames: int = 501):
    """The study's CNN on clips of another size."""
    return cnn_spec((n_features, n_frames, 1), 15, REFERENCE_CONVS, 2)


#: Questions 4 and 5: 40 bands x 501 frames, 15 classes.
REFERENCE_CNN = cnn_spec((40, 501, 1), 15, REFERENCE_CONVS, 2)
REFERENCE_LSTM = lstm_spec((501, 40), 15, 32, "he_uniform")
#: The tiny config's convolutions (tests/config/tiny.yaml).
TINY_CONVS = [
    {"filters": 4, "kernel_size": 5, "padding": "valid"},
    {"filters": 4, "kernel_size": 5, "padding": "same"},
]
#: The DCASE 2022-2025 Task 1 device budget.
DCASE_LIMITS = {"parameter_memory_kb": 128, "macs_per_second": 30_000_000}
