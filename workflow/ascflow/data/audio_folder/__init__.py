"""A folder of recordings in the DCASE layout: what it lists, in chunks, and
the chunks' features gathered into the data folder validation reads.

The layout (docs/audio.md)::

    audio_dir/
      audio/*.wav
      meta.csv          file, scene label, optional recording/location identifier
      split.csv         file, train | test
      (or evaluation_setup/fold1_train.txt and fold1_evaluate.txt instead of split.csv)

:mod:`.tables` reads the tables, :mod:`.chunks` lists the recordings and
cuts them into chunks, :mod:`.gather` writes the chunks' features into
the data folder. Every problem a user must fix raises :class:`AscflowError`
with one sentence naming the file (a table and its row, or a recording);
what validation finds in the gathered arrays names the recordings and
table rows each clip comes from (:class:`RecordingNames`).
"""

from ascflow.data.audio_folder.chunks import (
    AUDIO_SUFFIXES,
    chunk_digests,
    chunk_id,
    chunk_paths,
    list_recordings,
    named,
    read_chunk,
    recordings_below,
    recordings_on_disk,
    save_chunk,
)
from ascflow.data.audio_folder.gather import RecordingNames, gather_chunks
from ascflow.data.audio_folder.tables import layout_files, read_scene_labels, recording_rows

__all__ = [
    "AUDIO_SUFFIXES",
    "RecordingNames",
    "chunk_digests",
    "chunk_id",
    "chunk_paths",
    "gather_chunks",
    "layout_files",
    "list_recordings",
    "named",
    "read_chunk",
    "read_scene_labels",
    "recording_rows",
    "recordings_below",
    "recordings_on_disk",
    "save_chunk",
]
