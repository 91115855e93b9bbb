"""The device choice, without Snakemake (CI has no GPU): the GPUs the driver
lists, the `gpu` resource a network job declares, CPU or GPU for a setting,
and TensorFlow configured for it in a fresh process. The workflow's GPU
resources and TensorBoard logs are tests/workflow/test_gpu.py."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from ascflow import AscflowError
from ascflow.models.device import driver_gpus, gpu_request, use_gpu


def test_driver_gpus_follow_the_driver_and_cuda_visible_devices(tmp_path):
    listing = tmp_path / "gpus"
    assert driver_gpus({}, listing) == 0  # no NVIDIA driver
    for bus in ("0000:17:00.0", "0000:65:00.0"):
        (listing / bus).mkdir(parents=True)
    assert driver_gpus({}, listing) == 2
    assert driver_gpus({"CUDA_VISIBLE_DEVICES": "1"}, listing) == 1
    assert driver_gpus({"CUDA_VISIBLE_DEVICES": ""}, listing) == 0
    assert driver_gpus({"CUDA_VISIBLE_DEVICES": "-1"}, listing) == 0


@pytest.mark.parametrize(
    ("setting", "gpus_here", "declared"),
    [("auto", 0, 0), ("auto", 1, 1), ("auto", 4, 1), (True, 0, 1), (False, 2, 0)],
)
def test_gpu_request(setting, gpus_here, declared):
    assert gpu_request(setting, gpus_here) == declared


def test_device_choice():
    assert use_gpu("auto", ["/physical_device:GPU:0"]) and not use_gpu("auto", [])
    assert use_gpu(True, ["/physical_device:GPU:0"]) and not use_gpu(False, ["/physical_device:GPU:0"])
    with pytest.raises(AscflowError, match=r"^config key gpu: true, but TensorFlow sees no GPU"):
        use_gpu(True, [])


def test_tensorflow_is_configured_for_the_device():
    """In a fresh process, as a job does (TensorFlow's devices can be set only
    before it runs anything)."""
    code = """
import json
from ascflow.errors import AscflowError
from ascflow.models.network import configure_tensorflow
import tensorflow as tf
gpus = tf.config.list_physical_devices("GPU")
device = configure_tensorflow(1, 0, False)
print(json.dumps({"gpus": len(gpus), "off": device, "visible": len(tf.config.get_visible_devices("GPU"))}))
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    facts = json.loads(result.stdout.strip().splitlines()[-1])
    assert facts["off"] == ["CPU", None] and facts["visible"] == 0  # gpu: false hides every GPU
