"""What extracting features from recordings costs: the workflow's chunk jobs
against a plain single-process librosa loop on the same files, and the peak
memory of one chunk job.

Run from the repository root::

    .venv/bin/python -m perf.audio                 # 1000 ten-second recordings, every usable CPU
    .venv/bin/python -m perf.audio --files 40      # fewer
    .venv/bin/python -m perf.audio --plain FOLDER  # the plain loop alone, on any DCASE folder

Both sides read the same generated WAV files (10 s, 44.1 kHz, mono, as the
DCASE 2017 recordings are per channel) at the config's extraction settings
(the DCASE baseline: 40 x 501 per clip), and both times include starting
Python and importing librosa:

* the workflow: ``snakemake --cores N`` to ``results/audio/extraction.json``
  (the listing, one job per chunk of files, the gather), chunks sized so that
  each core gets two; ``audio_files_per_s_per_core = files / (wall s x N)``.
  ``audio_job_files_per_s``: files over the chunk jobs' own seconds (their
  ``benchmark:`` files), what a chunk job does without Snakemake around it.
* the plain loop (:func:`plain_loop`): read, mix down, resample if needed,
  pad or cut, ``librosa.feature.melspectrogram``, log; one process, one core:
  ``audio_plain_files_per_s``.
* ``audio_throughput_ratio``: the workflow's files per second per core over
  the plain loop's (1 = no cost per core for the jobs, the listing and the
  gather); ``audio_cpu_ratio``: the CPU seconds (user + system, every
  process) of the workflow's run over the plain loop's, which other tenants
  of a shared machine disturb less than wall time;
  ``audio_chunk_peak_rss_mb``: the largest ``max_rss`` of a chunk job.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
from pathlib import Path

import yaml

from perf.line import format_line, parse_line, print_table
from perf.measure import run_timed
from perf.runs import benchmark_table
from perf.workflow import CONFIG, REPOSITORY, snakemake_command

AUDIO_KEYS = (
    "audio_files",
    "audio_files_per_s_per_core",
    "audio_job_files_per_s",
    "audio_plain_files_per_s",
    "audio_throughput_ratio",
    "audio_cpu_ratio",
    "audio_chunk_peak_rss_mb",
)
#: What the workflow's run makes: the gathered arrays and the extraction's facts.
TARGET = "results/audio/extraction.json"
SECONDS = 10.0
SAMPLE_RATE = 44100
CLASSES = 5


def extraction_settings() -> dict:
    """The shipped config's ``audio`` section (with the schema's defaults), less ``chunk_files``."""
    from ascflow.configuration import load_config

    section = load_config([CONFIG])["audio"]
    return {key: value for key, value in section.items() if key != "chunk_files"}


def write_recordings(folder: Path, n_files: int) -> list[Path]:
    """About ``n_files`` generated recordings (a multiple of the classes) in the DCASE layout."""
    from ascflow.data.synthetic_audio import SyntheticRecordings, write_audio_folder

    per_class = max(3, n_files // CLASSES)
    n_test = max(1, per_class // 4)
    recordings = SyntheticRecordings(
        n_classes=CLASSES, n_train=per_class - n_test, n_test=n_test, seconds=SECONDS, sample_rate=SAMPLE_RATE
    )
    written = write_audio_folder(folder, recordings)
    return sorted(written["audio"].glob("*.wav"))


def plain_loop(paths: list[Path], settings: dict):
    """Log mel-band energies of every file, the way a script without the
    workflow would compute them: one process, one file after another,
    through the same reading and features as a chunk job
    (:func:`ascflow.data.audio.read_clip` and :func:`~ascflow.data.audio.log_mel`)."""
    import numpy as np
    from ascflow.data.audio import audio_settings, log_mel, read_clip

    checked = audio_settings(settings)
    return np.stack([log_mel(read_clip(path, checked)[0], checked) for path in paths])


def measure_audio(work_root: Path, n_files: int, cores: int, environment: dict | None = None) -> dict:
    """Generate the recordings, run the workflow's extraction on ``cores``
    and the plain loop on one; return the :data:`AUDIO_KEYS` figures."""
    folder = work_root / "recordings"
    paths = write_recordings(folder, n_files)
    chunk_files = max(1, math.ceil(len(paths) / (2 * cores)))

    workdir = work_root / "workflow"
    workdir.mkdir(parents=True, exist_ok=True)
    overrides = workdir / "audio.yaml"
    overrides.write_text(yaml.safe_dump({"audio_dir": str(folder), "audio": {"chunk_files": chunk_files}}))
    command = snakemake_command(
        workdir, TARGET, "--cores", str(cores), "--configfile", str(CONFIG), str(overrides)
    )
    workflow = run_timed(command, workdir, environment)
    jobs = {
        job: row for job, row in benchmark_table(workdir).items() if job.startswith("extract_audio_chunk/")
    }

    # One process on one core, as a chunk job runs (Snakemake sets the
    # thread variables of a job to its threads: 1).
    single = {name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
    plain_command = [sys.executable, "-m", "perf.audio", "--plain", str(folder)]
    plain = run_timed(plain_command, REPOSITORY, {**(environment or os.environ), **single})
    plain_files_per_s = parse_line(plain.output, "audio_plain")["files_per_s"]

    per_core = len(paths) / (workflow.wall_s * cores)
    figures = {
        "audio_files": len(paths),
        "audio_files_per_s_per_core": per_core,
        "audio_job_files_per_s": len(paths) / sum(row["s"] for row in jobs.values()),
        "audio_plain_files_per_s": plain_files_per_s,
        "audio_throughput_ratio": per_core / plain_files_per_s,
        "audio_cpu_ratio": workflow.cpu_s / plain.cpu_s,
        "audio_chunk_peak_rss_mb": max(row["max_rss_mb"] for row in jobs.values()),
    }
    print_table(
        f"Audio extraction: {len(paths)} recordings of {SECONDS:g} s at {SAMPLE_RATE} Hz "
        f"({len(jobs)} chunk jobs of up to {chunk_files} on --cores {cores}) against the plain loop",
        ["part", "wall s", "files/s", "files/s per core"],
        [
            ["workflow (list, chunk jobs, gather)", workflow.wall_s, len(paths) / workflow.wall_s, per_core],
            [
                "chunk jobs' own seconds, summed",
                sum(r["s"] for r in jobs.values()),
                "",
                figures["audio_job_files_per_s"],
            ],
            ["plain loop, one process", plain.wall_s, plain_files_per_s, plain_files_per_s],
        ],
    )
    return figures


def run_plain(folder: Path) -> None:
    """The plain loop on every WAV file in ``folder/audio``; prints its rate
    (from its start, imports included)."""
    started = time.perf_counter()
    paths = sorted((folder / "audio").glob("*.wav"))
    features = plain_loop(paths, extraction_settings())
    seconds = time.perf_counter() - started
    print(
        format_line(
            "audio_plain", {"files": len(paths), "seconds": seconds, "files_per_s": len(paths) / seconds}
        )
    )
    print(f"shape {features.shape}", file=sys.stderr)


def main(argv: list[str] | None = None) -> None:
    started = time.perf_counter()
    parser = argparse.ArgumentParser(prog="python -m perf.audio", description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=1000, help="recordings to generate (default 1000)")
    parser.add_argument("--cores", type=int, default=len(os.sched_getaffinity(0)), help="Snakemake's --cores")
    parser.add_argument(
        "--plain", metavar="FOLDER", type=Path, help="only the plain loop, on FOLDER/audio/*.wav"
    )
    parser.add_argument("--keep", metavar="DIR", help="work in DIR and keep it")
    args = parser.parse_args(argv)
    if args.plain:
        run_plain(args.plain)
        return
    work_root = Path(args.keep or tempfile.mkdtemp(prefix="ascflow-audio-")).resolve()
    figures = measure_audio(work_root, args.files, args.cores)
    if not args.keep:
        import shutil

        shutil.rmtree(work_root, ignore_errors=True)
    print(f"\n({time.perf_counter() - started:.0f} s in all)")
    print(format_line("bench", figures))


if __name__ == "__main__":
    main()
