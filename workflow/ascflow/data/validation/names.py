"""How validation's sentences name what they found, so that the user is
told of the files or recordings they wrote, not of arrays made from them."""

from __future__ import annotations

import numpy as np


class ClipNames:
    """How validation's sentences name what they found: a data folder's
    files (``X_train.npy``) and clips by position (``clip 5``). Arrays
    gathered from recordings name the recordings and the table rows that
    list them instead (:class:`ascflow.data.audio_folder.RecordingNames`):
    the user wrote those, not the arrays."""

    def array(self, stem: str) -> str:
        """What a sentence about the array ``stem`` (``y_train``) names."""
        return f"{stem}.npy"

    def clip(self, split: str, index: int) -> str:
        """What a sentence names for clip ``index`` of ``split``."""
        return f"clip {index}"


def first_index(values: np.ndarray, value) -> int:
    """Where ``value`` first occurs in ``values``: the clip a sentence names
    of all those a problem concerns."""
    return int(np.flatnonzero(values == value)[0])
