"""Safe loading and validation of a data folder of four ``.npy`` files.

Every check that fails raises :class:`AscflowError` with one sentence that
names the file and the problem. Arrays are memory-mapped and scanned in
chunks, so validating the reference-size data takes little memory.

One module a check: :mod:`.folder` (the files, read without unpickling),
:mod:`.features`, :mod:`.labels` and :mod:`.classes`, :mod:`.duplicates`,
:mod:`.groups`, :mod:`.devices`; :mod:`.names` says how their sentences name what they
found, and :mod:`.dataset` composes them into the summary the workflow
records.
"""

from ascflow.data.validation.dataset import Validated, data_fingerprint, validate_dataset
from ascflow.data.validation.devices import (
    device_of_name,
    device_paths,
    load_devices,
    read_devices,
    recording_of_name,
)
from ascflow.data.validation.features import band_statistics
from ascflow.data.validation.folder import SPLITS, data_digests, data_paths, group_paths, load_array
from ascflow.data.validation.names import ClipNames

__all__ = [
    "SPLITS",
    "ClipNames",
    "Validated",
    "band_statistics",
    "data_digests",
    "data_fingerprint",
    "data_paths",
    "device_of_name",
    "device_paths",
    "group_paths",
    "load_array",
    "load_devices",
    "read_devices",
    "recording_of_name",
    "validate_dataset",
]
