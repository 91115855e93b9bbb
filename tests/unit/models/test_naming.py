import pytest
from ascflow.models.naming import model_names, model_seed, parse_model_name


def test_model_names_with_and_without_seeds():
    assert model_names([10, 50], []) == ["rf_10", "rf_50", "cnn", "lstm"]
    assert model_names([10], [0, 1])[:3] == ["rf_10_seed0", "rf_10_seed1", "cnn_seed0"]


def test_parse_model_name():
    forest = parse_model_name("rf_100_seed2")
    assert (forest.family, forest.trees, forest.base, forest.seed_suffix, forest.layout) == (
        "rf",
        100,
        "rf_100",
        2,
        "flat",
    )
    assert parse_model_name("lstm").layout == "time_major"
    assert model_seed("cnn", 42) == 42 and model_seed("cnn_seed0", 42) == 0
    with pytest.raises(ValueError):
        parse_model_name("svm")
