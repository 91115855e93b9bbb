"""A watch over a Slurm run's queued jobs, so that it never waits in silence.

:class:`HeldJobWatch` lists the user's jobs with squeue every
:data:`INTERVAL` seconds, in a daemon thread of Snakemake's main process;
when one of the run's jobs is pending on two listings in a row for a
reason that cannot clear (:mod:`ascflow.cluster.held`), it cancels the
run's jobs (scancel), prints one sentence and interrupts Snakemake, which
ends as on Ctrl-C: it cancels what is left, unlocks the working directory
and exits with a non-zero status (:data:`STOP_SIGNALS`: harder while it
does not). Only the glue lives here.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence

from ascflow.cluster.held import SQUEUE_COMMAND, QueuedJob, held_sentence, newly_held, parse_squeue, run_jobs

#: Seconds between two listings: a held job ends the run 15 to 30 s after
#: Slurm names its reason, and the controller answers 4 squeue calls a minute.
INTERVAL = 15.0


#: How the watch ends Snakemake: as Ctrl-C does (its scheduler cancels the
#: jobs and unlocks); again if it still runs :data:`STOP_GRACE` seconds
#: later; then as ``kill`` does; at last for good.
STOP_SIGNALS = (signal.SIGINT, signal.SIGINT, signal.SIGTERM, signal.SIGKILL)
STOP_GRACE = 20.0


def _signal_self(signum: int) -> None:
    if signum == signal.SIGKILL:
        print(
            "ascflow: Snakemake did not stop when interrupted, so it was killed; "
            "run `snakemake --unlock` before the next run.",
            file=sys.stderr,
            flush=True,
        )
    os.kill(os.getpid(), signum)


def make_interruptible() -> None:
    """Let SIGINT interrupt this process (Python's KeyboardInterrupt) even
    where it was started with SIGINT ignored, as a shell starts a command
    in the background (``nohup snakemake ... &``, a CI script): the watch's
    interrupt would otherwise do nothing and the run wait for ever. From
    the main thread only (Snakemake parses the Snakefile there)."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


class HeldJobWatch:
    """The watch over one run's jobs: those the plugin submits from
    ``workdir`` after :meth:`start`; ``rules`` and ``groups`` name them."""

    def __init__(
        self,
        workdir: str,
        names: dict[str, Iterable[str]],
        run: Callable[[Sequence[str]], str | None] | None = None,
        stop: Callable[[int], None] = _signal_self,
        grace: float = STOP_GRACE,
    ):
        self.workdir = workdir
        self.names = {key: tuple(values) for key, values in names.items()}
        self.run = run or _output
        self.stop = stop
        self.grace = grace
        self.before: set[str] = set()
        self.previous: list[QueuedJob] = []

    def start(self, interval: float = INTERVAL) -> threading.Thread:
        """Note the jobs queued now (a killed earlier run's are not this
        run's) and watch in a daemon thread."""
        listing = self.run(SQUEUE_COMMAND)
        self.before = {job.id for job in parse_squeue(listing or "")}
        if threading.current_thread() is threading.main_thread():
            make_interruptible()
        thread = threading.Thread(target=self._watch, args=(interval,), name="ascflow-held-jobs", daemon=True)
        thread.start()
        return thread

    def poll(self) -> str | None:
        """One listing: the sentence for a job held on this listing and the
        last, once its run's jobs are cancelled; else None."""
        listing = self.run(SQUEUE_COMMAND)
        if listing is None:
            return None  # squeue failed this time: try again at the next listing
        current = run_jobs(parse_squeue(listing), self.workdir, self.before)
        held, self.previous = newly_held(self.previous, current), current
        if not held:
            return None
        self.run(("scancel", *(job.id for job in current)))
        return held_sentence(held, len(current), self.names)

    def _watch(self, interval: float) -> None:
        while True:
            time.sleep(interval)
            sentence = self.poll()
            if sentence:
                print(f"ascflow: {sentence}", file=sys.stderr, flush=True)
                for signum in STOP_SIGNALS:  # each only while Snakemake still runs
                    self.stop(signum)
                    time.sleep(self.grace)
                return


def _output(command: Sequence[str]) -> str | None:
    """A command's standard output; None where it cannot be run or fails."""
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout
