"""Where a run's data comes from: the built-in set, a folder of the user's
arrays, or arrays extracted from a folder of recordings; which files of it
validation reads, and the checks of the data settings that need no disk."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ascflow.data.audio import audio_settings
from ascflow.data.validation import SPLITS
from ascflow.errors import AscflowError
from ascflow.plan.identity import canonical

#: Where generate_default_data writes the built-in data.
DEFAULT_DATA_DIR = "resources/default"
#: Where gather_audio_features writes the arrays extracted from audio_dir.
AUDIO_DATA_DIR = "results/audio/data"
#: The one folder generate_example_audio writes the example recordings into.
EXAMPLE_AUDIO_DIR = "resources/example-audio"


class DataSource:
    """The data of one run, as the config names it."""

    def __init__(self, config: Mapping):
        self.config = config

    @property
    def source(self) -> str:
        """ "synthetic" (the built-in set), "user" (data_dir's arrays) or
        "audio" (arrays extracted from audio_dir's recordings)."""
        if self.config["audio_dir"]:
            return "audio"
        return "user" if self.config["data_dir"] else "synthetic"

    @property
    def data_dir(self) -> str:
        folders = {"synthetic": DEFAULT_DATA_DIR, "user": self.config["data_dir"], "audio": AUDIO_DATA_DIR}
        return folders[self.source]

    @property
    def writes_example_audio(self) -> bool:
        return self.source == "audio" and self.config["example_audio"]["write"]

    @property
    def made_with_groups(self) -> bool:
        """The workflow writes the data (and its groups and classes) itself."""
        return self.source != "user"

    @property
    def audio_settings(self) -> dict:
        """The extraction settings, which every chunk's features depend on
        (not the chunk size, which only cuts the work into jobs)."""
        return canonical({key: value for key, value in self.config["audio"].items() if key != "chunk_files"})

    @property
    def example_audio_settings(self) -> dict:
        return canonical(
            {key: value for key, value in self.config["example_audio"].items() if key != "write"}
        )

    def check(self) -> None:
        """One sentence when data_dir and audio_dir are both set, when the
        example recordings would be written elsewhere than audio_dir, or
        when the audio settings do not fit together."""
        if self.config["data_dir"] and self.config["audio_dir"]:
            raise AscflowError(
                "config keys data_dir and audio_dir are both set; set one of them "
                "(data_dir for .npy arrays, audio_dir for recordings)."
            )
        if self.config["example_audio"]["write"] and (
            Path(self.config["audio_dir"]).resolve() != Path(EXAMPLE_AUDIO_DIR).resolve()
        ):
            raise AscflowError(
                "config key example_audio.write: writes the example recordings into "
                f"{EXAMPLE_AUDIO_DIR} only; set audio_dir: {EXAMPLE_AUDIO_DIR}."
            )
        if self.source == "audio":
            audio_settings(self.config["audio"])

    def data_files(self, present: set[str]) -> dict[str, str]:
        """The data folder's files validation reads, by stem: the four
        arrays, the group files and classes.txt (those the workflow writes,
        or of the user's folder those ``present``)."""
        files = {stem: f"{self.data_dir}/{stem}.npy" for stem in ("X_train", "y_train", "X_test", "y_test")}
        for name in (*(f"groups_{split}.npy" for split in SPLITS), "classes.txt"):
            if self.made_with_groups or name in present:
                files[name.rsplit(".", 1)[0]] = f"{self.data_dir}/{name}"
        for name in (f"devices_{split}.npy" for split in SPLITS):  # the gather writes them
            if self.source == "audio" or name in present:
                files[name.rsplit(".", 1)[0]] = f"{self.data_dir}/{name}"
        return files
