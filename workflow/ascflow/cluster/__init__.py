"""What a cluster run asks of Slurm, checked before any job is submitted.

Two checks catch the mistakes that Snakemake and Slurm let pass without a
word:

- :mod:`ascflow.cluster.profiles`: a profile's ``set-threads`` and
  ``set-resources`` entries name rules and resources that exist
  (:func:`~ascflow.cluster.profiles.check_profile_entries`), and
  :class:`ProfileEntries` keeps them as written;
- :mod:`ascflow.cluster.preflight`: every job's request (:mod:`ascflow.cluster.requests`)
  fits a node of its partition (:mod:`ascflow.cluster.partitions`, from
  ``sinfo``), or the run stops with one sentence
  (:mod:`ascflow.cluster.problems`).

The names the plan and the Snakefile import are re-exported here.
"""

from ascflow.cluster.preflight import check_on_slurm
from ascflow.cluster.profiles import ProfileEntries
from ascflow.cluster.requests import Request, job_request

__all__ = ["ProfileEntries", "Request", "check_on_slurm", "job_request"]
