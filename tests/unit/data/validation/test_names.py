"""How validation's sentences name a data folder's arrays and clips by
default, and which clip they name first."""

import numpy as np
from ascflow.data.validation import ClipNames
from ascflow.data.validation.names import first_index


def test_arrays_are_named_by_their_file_and_clips_by_position():
    names = ClipNames()
    assert names.array("y_train") == "y_train.npy" and names.clip("test", 5) == "clip 5"


def test_first_index_is_where_a_value_first_occurs():
    assert first_index(np.array([3, 1, 4, 1, 5]), 1) == 1
    assert first_index(np.array(["a", "b", "b"]), "b") == 1
