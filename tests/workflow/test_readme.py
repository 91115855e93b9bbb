"""The README's commands, run as documented: every command of its ``bash``
blocks runs here, in a copy of the checkout whose config is the tiny one,
or is listed below with the reason it cannot."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import yaml
from support import REPO, TINY_CONFIG

README = REPO / "README.md"

#: Commands that do not run here, by a pattern of theirs, and why.
ELSEWHERE = {
    r"^bash tasks\.sh\b": "the CI runs `bash tasks.sh test` on a clean clone (.ci/run), which "
    "installs as `bash tasks.sh run` does; the default run is the benchmark's (python -m perf)",
    r"--profile profiles/slurm": "needs a Slurm cluster: tests/workflow/test_slurm.py runs the workflow "
    "on one",
    r"pip (install|uninstall)": "changes the environment the tests run in",
}

#: What a placeholder of the README stands for.
PLACEHOLDERS = {
    "data_dir=/path/to/folder": "data_dir={arrays}",
    "audio_dir=/path/to/folder": "audio_dir={recordings}",
    "predict_dir=/path/to/new/recordings": "predict_dir={new}",
    "/data/field-day/": "{new}",
}


def documented_commands() -> list[str]:
    """Every command line of the README's bash blocks, comments left out."""
    blocks = re.findall(r"^```bash\n(.*?)^```", README.read_text(), re.MULTILINE | re.DOTALL)
    lines = (line.split("  #")[0].strip() for block in blocks for line in block.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def runs_here(command: str) -> bool:
    return not any(re.search(pattern, command) for pattern in ELSEWHERE)


def checkout_copy(folder: Path) -> Path:
    """The checkout's tracked and new files, the tiny config as the shipped
    one, and this environment as its .venv."""
    listing = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    for name in filter(None, listing.stdout.split("\0")):
        if (REPO / name).is_file():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, folder / name)
    shutil.copy(TINY_CONFIG, folder / "config" / "config.yaml")
    (folder / ".venv").symlink_to(Path(sys.executable).parent.parent)
    return folder


def arrays_folder(folder: Path) -> Path:
    """A small folder of arrays in the README's layout."""
    rng = np.random.default_rng(3)
    folder.mkdir()
    for split, clips in (("train", 30), ("test", 12)):
        np.save(folder / f"X_{split}.npy", rng.normal(size=(clips, 12, 40)).astype(np.float32))
        np.save(folder / f"y_{split}.npy", np.arange(clips) % 3)
    return folder


def new_clips_folder(folder: Path) -> Path:
    """New clips of the tiny config's shape, as predict_dir holds them for
    models trained on arrays."""
    folder.mkdir()
    np.save(folder / "X.npy", np.random.default_rng(4).normal(size=(5, 12, 40)).astype(np.float32))
    return folder


def recordings_folder(folder: Path) -> Path:
    """A small DCASE-layout folder of recordings (1-second clips)."""
    from ascflow.data.synthetic_audio import write_audio_folder

    write_audio_folder(folder, n_classes=3, n_train=4, n_test=2, seconds=1.0, sample_rate=8000, seed=5)
    return folder


def test_every_documented_command_runs_here_or_says_why_not():
    commands = documented_commands()
    assert len(commands) >= 10
    assert any(runs_here(command) for command in commands)
    for pattern in ELSEWHERE:
        assert any(re.search(pattern, command) for command in commands), (
            f"no README command matches {pattern}"
        )


def test_the_readmes_commands_run_as_documented(tmp_path):
    project = checkout_copy(tmp_path / "ascflow")
    folders = {
        "arrays": arrays_folder(tmp_path / "arrays"),
        "recordings": recordings_folder(tmp_path / "recordings"),
        "new": new_clips_folder(tmp_path / "new"),
    }
    # As an activated environment: the console command `ascflow` on the path.
    environment = {**os.environ, "PATH": f"{project / '.venv' / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    # The example recordings at the tiny config's scale: a few 1-second clips.
    example = yaml.safe_load((REPO / "config" / "audio-example.yaml").read_text())
    example["audio"]["clip_s"] = 1.0
    example["example_audio"].update(n_train=4, n_test=2, seconds=1.0)
    (project / "config" / "audio-example.yaml").write_text(yaml.safe_dump(example))
    ran = []
    for command in filter(runs_here, documented_commands()):
        for placeholder, value in PLACEHOLDERS.items():
            command = command.replace(placeholder, value.format(**folders))
        if "audio_dir=" in command:  # recordings of 1 s, not the default 10
            command += " 'audio={clip_s: 1.0}'"
        result = subprocess.run(
            ["bash", "-c", command], cwd=project, env=environment, capture_output=True, text=True, timeout=900
        )
        assert result.returncode == 0, f"{command}\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
        ran.append(command)
        if "snakemake --cores" in command:
            assert (project / "reports" / "report.pdf").stat().st_size > 0, command
    assert any("--forcerun render_report" in command for command in ran)
    assert (project / "field-day.tsv").read_text().startswith("filename\tscene_label\t")
    html = subprocess.run(
        ["bash", "-c", ".venv/bin/snakemake --cores 2 --report reports/report.html"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert html.returncode == 0 and (project / "reports" / "report.html").stat().st_size > 0, html.stderr[
        -2000:
    ]
