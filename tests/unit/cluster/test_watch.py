"""ascflow.cluster.watch: the glue around squeue and scancel, run against
listings given in turn (tests/workflow/test_slurm.py runs it on the local
cluster)."""

from __future__ import annotations

import signal
import subprocess
import sys

from ascflow.cluster.watch import HeldJobWatch

RUN = "0d6a7a4e"


class FakeSlurm:
    """squeue's listings in turn (the last one repeated); every command kept."""

    def __init__(self, *listings):
        self.listings = list(listings)
        self.commands = []

    def __call__(self, command):
        self.commands.append(tuple(command))
        if command[0] == "scancel":
            return ""
        listing = self.listings.pop(0) if len(self.listings) > 1 else self.listings[0]
        return listing


def line(job_id, reason, state="PENDING", workdir="/work/run", comment="rule_validate_data"):
    return f"{job_id}|{state}|debug|{reason}|{RUN}|{comment}|{workdir}\n"


NAMES = {"rules": ["validate_data"], "groups": []}


def test_a_job_held_on_two_listings_cancels_the_runs_jobs_and_says_so():
    slurm = FakeSlurm(
        line("3", "PartitionConfig", comment="rule_old"),  # before the run: not its job
        line("4", "Priority") + line("5", "None", "RUNNING") + line("3", "PartitionConfig"),
        line("4", "PartitionConfig") + line("5", "None", "RUNNING") + line("3", "PartitionConfig"),
        line("4", "PartitionConfig") + line("5", "None", "RUNNING") + line("3", "PartitionConfig"),
    )
    watch = HeldJobWatch("/work/run", NAMES, run=slurm, stop=lambda signum: None)
    watch.before = {"3"}
    assert [watch.poll(), watch.poll(), watch.poll()] == [None, None, None]
    sentence = watch.poll()
    assert sentence.startswith("Slurm job 4 (rule validate_data) is held: PartitionConfig,")
    assert sentence.endswith("The run stops and cancels its 2 Slurm jobs.")
    assert slurm.commands[-1] == ("scancel", "4", "5")


def test_a_failing_squeue_is_tried_again():
    watch = HeldJobWatch("/work/run", NAMES, run=lambda command: None, stop=lambda signum: None)
    assert watch.poll() is None


def test_the_thread_prints_the_sentence_and_stops_the_run_harder_while_it_runs(capsys):
    """Snakemake ends at the first interrupt as a rule; one that it does not
    end at (it never does here) is followed by another, a SIGTERM, a SIGKILL."""
    sent = []
    slurm = FakeSlurm("", line("4", "BadConstraints"))
    watch = HeldJobWatch("/work/run", NAMES, run=slurm, stop=sent.append, grace=0.01)
    thread = watch.start(interval=0.01)
    thread.join(5)
    assert not thread.is_alive() and thread.daemon
    assert sent == [signal.SIGINT, signal.SIGINT, signal.SIGTERM, signal.SIGKILL]
    err = capsys.readouterr().err
    assert err.startswith("ascflow: Slurm job 4 (rule validate_data) is held: BadConstraints")
    assert err.count("ascflow:") == 1


def test_the_interrupt_ends_a_snakemake_started_with_sigint_ignored():
    """A shell starts a background command (``nohup snakemake ... &``, a CI
    script) with SIGINT ignored; the watch's interrupt must still end it
    (a CI-like run waited 900 s for it)."""
    script = (
        "import signal, threading\n"
        "from ascflow.cluster.watch import _signal_self, make_interruptible\n"
        "make_interruptible()\n"
        "threading.Timer(0.5, _signal_self, args=(signal.SIGINT,)).start()\n"
        "try:\n"
        "    threading.Semaphore(0).acquire(timeout=20)\n"
        "except KeyboardInterrupt:\n"
        "    print('interrupted')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    assert done.stdout.strip() == "interrupted", done.stderr
