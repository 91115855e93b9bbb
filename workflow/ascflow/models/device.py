"""Where a network trains: the config's ``gpu`` setting against the GPUs there are.

``gpu`` is ``"auto"`` (a GPU if TensorFlow sees one, else the CPU), ``true``
(a GPU, or one sentence saying there is none) or ``false`` (the CPU, even
where a GPU is visible). Two questions, asked in two places:

* the Snakefile, on the machine that plans the jobs, declares Snakemake's
  standard ``gpu`` resource for the network jobs (:func:`gpu_request`), which
  a local run limits with ``--resources gpu=N`` and the Slurm plugin turns
  into ``--gpus``; it cannot import TensorFlow there (seconds at every
  start), so it asks the driver (:func:`driver_gpus`);
* the job itself decides with what TensorFlow sees (:func:`use_gpu`).
"""

from __future__ import annotations

import os
from pathlib import Path

from ascflow.errors import AscflowError

GPU_SETTINGS = ("auto", True, False)

#: Where the NVIDIA driver lists the GPUs of this machine, one folder each.
NVIDIA_GPUS = Path("/proc/driver/nvidia/gpus")


def driver_gpus(environ: dict[str, str] | None = None, listing: Path = NVIDIA_GPUS) -> int:
    """GPUs the NVIDIA driver shows this process (CUDA_VISIBLE_DEVICES
    narrows them, as it does for TensorFlow), without importing TensorFlow."""
    environ = os.environ if environ is None else environ
    installed = len(list(listing.iterdir())) if listing.is_dir() else 0
    visible = environ.get("CUDA_VISIBLE_DEVICES")
    if visible is None:
        return installed
    chosen = [device for device in visible.split(",") if device.strip() and device.strip() != "-1"]
    return min(installed, len(chosen)) if installed else 0


def gpu_request(setting, gpus_here: int) -> int:
    """The ``gpu`` resource a network job declares: 1 or 0."""
    if setting not in GPU_SETTINGS:
        raise AscflowError(
            f"config key gpu: {setting!r} is not allowed; it must be one of auto, true, false."
        )
    if setting == "auto":
        return 1 if gpus_here else 0
    return int(bool(setting))


def use_gpu(setting, tensorflow_gpus: list[str]) -> bool:
    """Whether a job trains on a GPU, given the GPUs TensorFlow lists."""
    if setting is True and not tensorflow_gpus:
        raise AscflowError(
            "config key gpu: true, but TensorFlow sees no GPU on this machine; install a TensorFlow "
            "with CUDA (docs/gpu.md) or set gpu: auto."
        )
    return setting is not False and bool(tensorflow_gpus)
