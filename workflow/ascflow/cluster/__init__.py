"""What a cluster run asks of Slurm, checked before any job is submitted.

Two checks catch the mistakes that Snakemake and Slurm let pass without a
word:

- :mod:`ascflow.cluster.profiles`: a profile's ``set-threads`` and
  ``set-resources`` entries name rules and resources that exist
  (:func:`~ascflow.cluster.profiles.check_profile_entries`), and
  :class:`ProfileEntries` keeps them as written;
- :mod:`ascflow.cluster.preflight`: every job's request (:mod:`ascflow.cluster.requests`)
  and every group's submission (:mod:`ascflow.cluster.groups`) fits a node
  of its partition (:mod:`ascflow.cluster.partitions`, from ``sinfo``), or
  the run stops with one sentence (:mod:`ascflow.cluster.problems`).

While the run goes on, :mod:`ascflow.cluster.watch` ends it with one
sentence when Slurm holds one of its jobs for a reason that cannot clear
(:mod:`ascflow.cluster.held`), where the plugin would wait for ever.

The names the plan and the Snakefile import are re-exported here.
"""

from ascflow.cluster.groups import Grouping
from ascflow.cluster.preflight import check_on_slurm
from ascflow.cluster.profiles import ProfileEntries
from ascflow.cluster.requests import Request, job_request
from ascflow.cluster.watch import HeldJobWatch

__all__ = ["Grouping", "HeldJobWatch", "ProfileEntries", "Request", "check_on_slurm", "job_request"]
