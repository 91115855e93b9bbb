"""The reference study's figures, as data, for the report to compare against.

Source: the course exercise on acoustic scene classification (2020, five
questions) that this workflow automates; ``/work/shared/reference.md`` restates
it. Every accuracy here was measured by the study on *its own* data: real
TUT Audio Research Group recordings (about 4,500 training and 1,500 test clips
of 40 log-mel bands x 501 frames, 15 scenes), not on the data of a given
ascflow run. On other data (the built-in synthetic set above all) they are a
point of reference for the ranking, not numbers to match.

The DCASE 2017 Task 1 baseline (log-mel, 40 bands, a small MLP) is quoted by
the study for scale; it was measured on TUT Acoustic Scenes 2017.
"""

from __future__ import annotations

#: Test accuracy per model (questions 3 to 5), on the reference's data.
ACCURACY = {
    "rf_10": 0.5153,
    "rf_50": 0.5833,
    "rf_100": 0.5947,
    "cnn": 0.4493,
    "lstm": 0.5893,
}

#: The reference's forests (question 3), by number of trees.
FOREST_SIZES = (10, 50, 100)

#: Clips in the reference's data (approximate: 71 batches of 64, 141 of 32).
N_TRAIN = 4500
N_TEST = 1500

#: Parameter counts derived from the reference's architectures, by network
#: name as the parameter counter (``ascflow.models.specs``) spells it. The
#: image CNN's count is the study's own: a flatten size of 32 x 32 x 32,
#: which needs 'same' padding in both convolutions.
PARAMETERS = {
    "reference_mlp": 4_926_410,
    "image_cnn_same": 355_754,
    "cnn": 562_159,
    "lstm": 249_839,
}

#: Multiplications in the image CNN's first convolution, as the study
#: computed them: 124 x 124 positions x 75 taps x 32 maps, 'valid' padding,
#: inconsistent with its 'same'-padded flatten size (ascflow.models.counting derives
#: both paddings' figures).
FIRST_CONV_MULTIPLICATIONS = 36_902_400
FIRST_CONV_PADDING = "valid"

#: How the reference trained its networks, where ascflow may differ.
TRAINING = {
    "cnn": {"epochs": 50, "batch_size": 64, "validation": "test", "early_stopping_patience": 10},
    "lstm": {"epochs": 50, "batch_size": 32, "validation": "test", "time_major": "reshape"},
}
#: The reference's CNN stopped early after epoch 42, its best epoch was 32.
CNN_EPOCHS_RUN = 42
CNN_BEST_EPOCH = 32
#: The reference fed raw log-mel values to every model.
STANDARDIZE = "none"

#: DCASE 2017 Task 1 baseline accuracy (TUT Acoustic Scenes 2017).
DCASE2017_BASELINE = {"development": 0.748, "evaluation": 0.610}


def study_in_place(data: dict) -> bool:
    """Whether the report sets the study's figures beside this run's: on the
    built-in data (``source`` synthetic), which is made in the study's shape
    for that comparison. On a user's own data (arrays of data_dir,
    recordings of audio_dir) the report speaks of the models the run
    trained, and the study's figures stand apart, in an appendix."""
    return data.get("source") == "synthetic"
