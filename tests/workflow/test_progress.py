"""Progress in the terminal: while a network trains, Snakemake's terminal
shows a line per epoch (model, epoch k/n, loss, validation accuracy), and
each chunk of recordings says when it is extracted; the job logs keep the
same lines among their detail."""

from __future__ import annotations

import re

from support import TINY_AUDIO, audio_args, audio_config, recordings, snakemake, tiny_args


def test_each_epoch_is_a_line_in_the_terminal_and_in_the_log(tmp_path):
    result = snakemake(tmp_path, "results/models/cnn.keras", *tiny_args("--config", "cnn={epochs: 3}"))
    epochs = re.findall(
        r"^cnn: epoch (\d)/3: loss [\d.]+ accuracy [\d.]+ val_loss [\d.]+ val_accuracy [\d.]+",
        result.stderr,
        re.MULTILINE,
    )
    assert epochs[:2] == ["1", "2"], result.stderr
    stopped = re.search(r"^cnn: early stopping after epoch (\d)", result.stderr, re.MULTILINE)
    assert epochs[-1] == (stopped.group(1) if stopped else "3")
    log = (tmp_path / "logs/train_network/cnn.log").read_text()
    assert all(f"epoch {epoch}/3:" in log for epoch in epochs)


def test_each_chunk_of_recordings_says_when_it_is_extracted(tmp_path):
    folder = recordings(tmp_path / "recordings")
    config = audio_config(tmp_path, audio_dir=str(folder), audio=TINY_AUDIO | {"chunk_files": 6})
    workdir = tmp_path / "run"
    workdir.mkdir()
    result = snakemake(workdir, "results/audio/data/X_train.npy", *audio_args(config))
    lines = re.findall(r"^chunk (\d{4}): (\d+) recordings extracted$", result.stderr, re.MULTILINE)
    assert sorted(lines) == [("0000", "6"), ("0001", "6"), ("0002", "6")], result.stderr
