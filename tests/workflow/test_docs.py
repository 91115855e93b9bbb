"""The documentation, run as documented: every command of the ``bash``
blocks of README.md, of each page of docs/ and of CHANGELOG.md runs here,
in one copy of the checkout whose config is the tiny one, or is listed in
ELSEWHERE with the test that covers it instead.

One copy and one sequence serve every page, to keep the suite's time: the
pages run in the order a reader meets them (the README, then its contents),
a command written on two pages runs once, and the commands that delete what
runs made (the README's clean-up) run last, after every other page's. The
checks of the pages themselves (each says what it is for and links back to
the README's contents, every relative link leads to a file and heading that
exist, the README stays short and states the run time the benchmark
measured) need no Snakemake."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml
from support import REPO, TINY_CONFIG

README = REPO / "README.md"
CHANGELOG = REPO / "CHANGELOG.md"
#: The README's table of contents, which every page links back to.
CONTENTS = "README.md#contents"
#: The README's budget of lines: a front page, the rest in docs/.
README_MAX_LINES = 220

#: Commands that do not run here, by a pattern of theirs: why, and what
#: covers them instead.
ELSEWHERE = {
    r"^bash tasks\.sh\b": "the CI runs `bash tasks.sh test` on a clean clone (.ci/run), which installs as "
    "`bash tasks.sh run` does (tests/unit/test_setup_files.py keeps the README, .ci/run and tasks.sh in "
    "step); the default run is the benchmark's (python -m perf)",
    r"--profile profiles/slurm": "needs a Slurm cluster: tests/workflow/test_slurm.py and "
    "test_slurm_sweep.py run the workflow on one, test_profile_dry_runs.py dry-runs every profile",
    r"^sinfo\b": "needs a Slurm cluster: tests/workflow/test_slurm.py reads the test cluster's sinfo, and "
    "the run's own check of the jobs' requests against it is tested there and in tests/unit/cluster/",
    r"ci/slurm/(start|stop)-cluster\.sh": "needs root on Debian and starts daemons: the Slurm tests' fixture "
    "(tests/conftest.py) runs both scripts",
    r"pytest tests/workflow/test_slurm\.py": "a part of this suite (marked slurm), which runs it",
    r"pip (install|uninstall)": "changes the environment the tests run in; tests/workflow/test_deploy.py "
    "checks pip's choice of TensorFlow per platform, tests/workflow/test_gpu.py and "
    "tests/unit/models/test_device.py the GPU settings (no GPU on the test machine)",
    r"python -m perf\b": "the benchmark takes 15 to 30 minutes: perf/test_perf.py runs its quick mode "
    "(marked slow) and tests its parts",
}

#: Commands that delete what runs made: they run after every other page's.
DELETES = (r"^rm\b", r"--delete-all-output(?!.*(--dry-run|-n\b))")

#: What a placeholder of the documentation stands for.
PLACEHOLDERS = {
    "data_dir=/path/to/folder": "data_dir={arrays}",
    "audio_dir=/path/to/folder": "audio_dir={recordings}",
    "predict_dir=/path/to/new/recordings": "predict_dir={new}",
    "/data/field-day/": "{new}",
}


def pages() -> list[Path]:
    """The README, then the pages its contents link to, in that order."""
    contents = README.read_text().split("\n## Contents", 1)[1].split("\n## ", 1)[0]
    linked = re.findall(r"\]\(((?:docs/[\w-]+|CHANGELOG)\.md)\)", contents)
    return [README, *(REPO / name for name in dict.fromkeys(linked))]


def documented_commands(page: Path) -> list[str]:
    """Every command line of a page's bash blocks, comments left out."""
    blocks = re.findall(r"^```bash\n(.*?)^```", page.read_text(), re.MULTILINE | re.DOTALL)
    lines = (line.split("  #")[0].strip() for block in blocks for line in block.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def runs_here(command: str) -> bool:
    return not any(re.search(pattern, command) for pattern in ELSEWHERE)


def deletes(command: str) -> bool:
    return any(re.search(pattern, command) for pattern in DELETES)


def name(page: Path) -> str:
    return str(page.relative_to(REPO))


def without_code(text: str) -> str:
    """A page with its fenced blocks left out (their lines are no headings)."""
    return re.sub(r"^```.*?^```", "", text, flags=re.MULTILINE | re.DOTALL)


def anchors(page: Path) -> set[str]:
    """The anchors of a page's headings, as GitHub makes them."""
    found: set[str] = set()
    for heading in re.findall(r"^#+ (.+)$", without_code(page.read_text()), re.MULTILINE):
        anchor = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        suffix = 0
        while (anchor if not suffix else f"{anchor}-{suffix}") in found:
            suffix += 1
        found.add(anchor if not suffix else f"{anchor}-{suffix}")
    return found


# ---- the pages themselves ---------------------------------------------------


def test_the_readme_is_short_and_lists_every_page():
    assert len(README.read_text().splitlines()) <= README_MAX_LINES
    listed = set(pages()[1:])
    assert listed == {*REPO.glob("docs/*.md"), CHANGELOG}, "the README's contents miss or name a page"


@pytest.mark.parametrize("page", [name(page) for page in pages()[1:]])
def test_a_page_says_what_it_is_for_and_links_back(page):
    lines = (REPO / page).read_text().splitlines()
    assert lines[0].startswith("# ") and not lines[1].strip()
    back = f"({'../' * page.count('/')}{CONTENTS})"
    # The title, then one line saying what the page is for, which links to the README's contents.
    assert lines[3] == "" and lines[2].rstrip(".").endswith(back), lines[2]


@pytest.mark.parametrize("page", [name(page) for page in pages()])
def test_relative_links_lead_to_files_and_headings_that_exist(page):
    path = REPO / page
    for target in re.findall(r"\]\(([^)\s]+)\)", without_code(path.read_text())):
        if re.match(r"[a-z]+:", target):
            continue
        file, _, anchor = target.partition("#")
        linked = (path.parent / file).resolve() if file else path
        assert linked.exists(), f"{page}: {target}: no such file"
        if anchor:
            assert anchor in anchors(linked), f"{page}: {target}: no such heading"


def test_the_readme_states_the_run_time_the_benchmark_measured():
    """One place says how long the default run takes, from the latest round."""
    readme = README.read_text()
    claim = r"takes under (\w+) minutes on two idle cores \(([\d.]+) s measured".replace(" ", r"\s+")
    stated = re.findall(claim, readme)
    assert len(stated) == 1
    bench = re.search(r"^bench: .*\bdefault_s=([\d.]+)", (REPO / "docs" / "performance.md").read_text(), re.M)
    words = {"two": 2, "three": 3, "four": 4, "five": 5}
    minutes, seconds = stated[0]
    assert float(seconds) == float(bench[1]) and float(seconds) < 60 * words[minutes]
    for page in pages():
        assert not re.search(r"\b(about|under) (three|four) minutes", page.read_text()) or page == README


def test_every_documented_command_runs_here_or_says_why_not():
    commands = [command for page in pages() for command in documented_commands(page)]
    assert len(commands) >= 10
    assert any(runs_here(command) for command in commands)
    for pattern in ELSEWHERE:
        assert any(re.search(pattern, command) for command in commands), f"no command matches {pattern}"


# ---- the commands, run -------------------------------------------------------


def checkout_copy(folder: Path) -> tuple[Path, list[str]]:
    """The checkout's tracked and new files, the tiny config as the shipped
    one, and this environment as its .venv; and the names of those files."""
    listing = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    names = [name for name in filter(None, listing.stdout.split("\0")) if (REPO / name).is_file()]
    for file in names:
        (folder / file).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / file, folder / file)
    shutil.copy(TINY_CONFIG, folder / "config" / "config.yaml")
    (folder / ".venv").symlink_to(Path(sys.executable).parent.parent)
    return folder, names


def arrays_folder(folder: Path) -> Path:
    """A small folder of arrays in the documented layout."""
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
    from ascflow.data.synthetic_audio import SyntheticRecordings, write_audio_folder

    write_audio_folder(
        folder, SyntheticRecordings(n_classes=3, n_train=4, n_test=2, seconds=1.0, sample_rate=8000, seed=5)
    )
    return folder


class Session:
    """Every page's commands, run once in one copy of the checkout: for each
    page its commands and what became of each (a finished process, or why it
    did not run), and what the clean-up left."""

    def __init__(self, folder: Path):
        self.project, self.copied = checkout_copy(folder / "ascflow")
        self.folders = {
            "arrays": arrays_folder(folder / "arrays"),
            "recordings": recordings_folder(folder / "recordings"),
            "new": new_clips_folder(folder / "new"),
        }
        # As an activated environment: the console command `ascflow` on the path.
        self.environment = {
            **os.environ,
            "PATH": f"{self.project / '.venv' / 'bin'}{os.pathsep}{os.environ['PATH']}",
        }
        # The example recordings at the tiny config's scale: a few 1-second clips.
        example = yaml.safe_load((REPO / "config" / "audio-example.yaml").read_text())
        example["audio"]["clip_s"] = 1.0
        example["example_audio"].update(n_train=4, n_test=2, seconds=1.0)
        (self.project / "config" / "audio-example.yaml").write_text(yaml.safe_dump(example))
        self.outcomes: dict[str, list[tuple[str, subprocess.CompletedProcess | str]]] = {}
        self.before_clean_up: dict[str, bool] = {}
        #: The first command that failed, and how: no command runs after it.
        self.failed: str | None = None

    def command_line(self, command: str) -> str:
        for placeholder, value in PLACEHOLDERS.items():
            command = command.replace(placeholder, value.format(**self.folders))
        if "audio_dir=" in command:  # recordings of 1 s, not the default 10
            command += " 'audio={clip_s: 1.0}'"
        return command

    def run(self, command: str, after_a_failure: bool = False) -> subprocess.CompletedProcess | str:
        """Run a command, unless an earlier one failed (the clean-up runs all
        the same: it needs nothing of what the others made)."""
        if self.failed and not after_a_failure:
            return f"not run, as an earlier command failed:\n{self.failed}"
        result = subprocess.run(
            ["bash", "-c", command],
            cwd=self.project,
            env=self.environment,
            capture_output=True,
            text=True,
            timeout=900,
        )
        if result.returncode != 0:
            self.failed = f"{command}\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
        elif "snakemake --cores" in command and not self.report_written():
            self.failed = f"{command}: left no report"
        return result

    def report_written(self) -> bool:
        pdf = self.project / "reports" / "report.pdf"
        return pdf.exists() and pdf.stat().st_size > 0

    def run_every_page(self) -> Session:
        done: dict[str, subprocess.CompletedProcess | str] = {}
        deferred = []
        for page in pages():
            self.outcomes[name(page)] = outcomes = []
            for command in map(self.command_line, filter(runs_here, documented_commands(page))):
                if deletes(command):
                    deferred.append((outcomes, len(outcomes), command))
                    outcomes.append((command, "deferred"))
                elif command in done:
                    outcomes.append((command, done[command]))
                else:
                    outcomes.append((command, done.setdefault(command, self.run(command))))
        self.before_clean_up = {
            path: (self.project / path).exists()
            for path in ("results", "logs", "benchmarks", "reports/report.html", "history/runs.tsv")
        }
        for outcomes, index, command in deferred:
            outcomes[index] = (command, self.run(command, after_a_failure=True))
        return self


@pytest.fixture(scope="module")
def session(tmp_path_factory) -> Session:
    return Session(tmp_path_factory.mktemp("docs")).run_every_page()


@pytest.mark.parametrize("page", [name(page) for page in pages()])
def test_the_commands_of_a_page_run_as_documented(session, page):
    for command, outcome in session.outcomes[page]:
        assert not isinstance(outcome, str), f"{command}: {outcome}"
        assert outcome.returncode == 0, f"{command}\n{outcome.stdout[-2000:]}\n{outcome.stderr[-3000:]}"


def test_the_readmes_commands_leave_what_it_says(session):
    ran = [command for command, _ in session.outcomes["README.md"]]
    assert any(re.search(r"snakemake -n$", command) for command in ran)
    assert any("--forcerun render_report" in command for command in ran)
    assert (session.project / "field-day.tsv").read_text().startswith("filename\tscene_label\t")
    # Before the clean-up: every output folder, the HTML report and the history of runs.
    assert all(session.before_clean_up.values()), session.before_clean_up
    # After it: what runs made is gone, the history of runs and the repository's own files stay.
    for made in ("results", "logs", "benchmarks", "reports/report.pdf", "reports/report.html"):
        assert not (session.project / made).exists(), made
    assert (session.project / "history" / "runs.tsv").stat().st_size > 0
    assert [file for file in session.copied if not (session.project / file).exists()] == []
