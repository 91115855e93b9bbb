"""The recording devices: a DCASE file name's suffix, the recording a name
belongs to, and the optional device files of a data folder (both splits or
neither, every clip named or none)."""

import numpy as np
import pytest
from ascflow.data.validation import device_of_name, load_devices, read_devices, recording_of_name
from ascflow.data.validation.devices import device_facts
from support import rejects, write_set


@pytest.mark.parametrize(
    ("name", "device", "recording"),
    [
        ("audio/airport-lisbon-1000-40000-a.wav", "a", "audio/airport-lisbon-1000-40000"),
        ("audio/airport-lisbon-1000-40000-s1.wav", "s1", "audio/airport-lisbon-1000-40000"),
        ("bus-milan-1115-42137-s10.wav", "s10", "bus-milan-1115-42137"),
        ("audio/r0.wav", None, "audio/r0.wav"),  # no suffix: the file is its own recording
        ("audio/park-e.wav", None, "audio/park-e.wav"),  # e is no DCASE device
        ("audio/a.wav", None, "audio/a.wav"),  # a name that is only a device is no suffix
    ],
)
def test_the_device_suffix_is_read_and_stripped_from_the_recording(name, device, recording):
    assert device_of_name(name) == device and recording_of_name(name) == recording


def test_device_files_are_read_with_their_facts_and_the_unseen_devices(tmp_path):
    train = np.array(["a", "s1", "s2"] * 4)
    test = np.array(["a", "s1", "s4", "a", "s5", "s4"])
    folder = write_set(tmp_path, devices_train=train, devices_test=test)
    devices = read_devices(folder, {"train": 12, "test": 6})
    assert devices["test"].tolist() == test.tolist()
    facts = device_facts(devices)
    assert facts["unseen"] == ["s4", "s5"] and facts["clips"]["test"] == {"a": 2, "s1": 1, "s4": 2, "s5": 1}
    from ascflow.data.validation import validate_dataset

    summary, *_ = validate_dataset(folder)
    assert summary["devices"] == facts and "devices_test.npy" in summary["files"]


def test_without_device_names_there_are_no_devices(tmp_path):
    assert read_devices(write_set(tmp_path), {"train": 12, "test": 6}) is None
    # Empty names throughout (as the gather writes them without devices): none either,
    # and the summary is that of a folder without the files.
    folder = write_set(tmp_path / "empty", devices_train=np.full(12, ""), devices_test=np.full(6, ""))
    assert read_devices(folder, {"train": 12, "test": 6}) is None
    from ascflow.data.validation import validate_dataset

    summary, *_ = validate_dataset(folder)
    assert "devices" not in summary and "devices_train.npy" not in summary["files"]
    np.save(tmp_path / "written.npy", np.full(3, ""))
    assert load_devices(tmp_path / "written.npy") is None
    np.save(tmp_path / "written.npy", np.array(["a", "s1", "a"]))
    assert load_devices(tmp_path / "written.npy").tolist() == ["a", "s1", "a"]


@pytest.mark.parametrize(
    ("arrays", "message"),
    [
        (
            {"devices_train": np.full(12, "a")},
            r"devices_test\.npy: missing, while the other split has device",
        ),
        (
            {"devices_train": np.full(11, "a"), "devices_test": np.full(6, "a")},
            r"devices_train\.npy: expected one device name per clip",
        ),
        (
            {"devices_train": np.arange(12), "devices_test": np.full(6, "a")},
            r"devices_train\.npy: expected device names \(text\)",
        ),
        (
            {"devices_train": np.full(12, "a"), "devices_test": np.array(["a", "", "b", "b", "b", "b"])},
            r"devices_test\.npy: clip 1 has no device name; give every clip one, or none\.",
        ),
    ],
    ids=["one-split-only", "wrong-length", "numbers", "one-unnamed"],
)
def test_bad_device_files_are_one_sentence(tmp_path, arrays, message):
    rejects(write_set(tmp_path, **arrays), message)
