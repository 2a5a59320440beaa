"""The doctor: its parts in-process, and `python -m keras_tutorial.doctor` as a learner runs it.

The whole-program tests run in a fresh interpreter with the backend set by KERAS_BACKEND, and
hide TensorFlow (and JAX) the way a missing package looks to Python, so that they show the doctor
working on a machine that has only JAX or only PyTorch.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pytest
from helpers import ROOT, assert_clean_error, backend_available

from keras_tutorial import data, doctor

# --- nvidia-smi -------------------------------------------------------------------------------


def test_parse_nvidia_smi_reads_every_gpu_and_the_driver():
    text = "NVIDIA H100 80GB HBM3, 550.54.15\nNVIDIA H100 80GB HBM3, 550.54.15\n"
    assert doctor.parse_nvidia_smi(text) == (
        "550.54.15",
        ("NVIDIA H100 80GB HBM3", "NVIDIA H100 80GB HBM3"),
    )


def test_parse_nvidia_smi_keeps_commas_in_gpu_names():
    assert doctor.parse_nvidia_smi("NVIDIA GeForce RTX 4090, Ti, 560.35.03\n") == (
        "560.35.03",
        ("NVIDIA GeForce RTX 4090, Ti",),
    )


def test_parse_nvidia_smi_of_an_error_message_finds_nothing():
    text = "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\n"
    assert doctor.parse_nvidia_smi(text) == ("", ())


def _fake_nvidia_smi(folder: Path, body: str) -> None:
    program = folder / "nvidia-smi"
    program.write_text(f"#!/bin/sh\n{body}\n")
    program.chmod(0o755)


@pytest.fixture
def no_wsl_smi(monkeypatch, tmp_path):
    monkeypatch.setenv("WSL_LIB_DIR", str(tmp_path / "absent"))


def test_driver_status_reads_the_version_from_nvidia_smi(monkeypatch, tmp_path, no_wsl_smi):
    _fake_nvidia_smi(tmp_path, 'echo "NVIDIA GeForce RTX 4090, 560.35.03"')
    monkeypatch.setenv("PATH", str(tmp_path))
    status = doctor.driver_status()
    assert status.found and status.working
    assert status.version == "560.35.03"
    assert status.gpus == ("NVIDIA GeForce RTX 4090",)


def test_driver_status_reports_a_driver_that_is_not_loaded(monkeypatch, tmp_path, no_wsl_smi):
    _fake_nvidia_smi(
        tmp_path, 'echo "NVIDIA-SMI has failed because it couldn\'t communicate" >&2; exit 9'
    )
    monkeypatch.setenv("PATH", str(tmp_path))
    status = doctor.driver_status()
    assert status.found and not status.working
    assert "couldn't communicate" in status.problem


def test_driver_status_without_nvidia_smi(monkeypatch, tmp_path, no_wsl_smi):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert doctor.driver_status() == doctor.Driver(found=False, working=False)


def test_driver_status_finds_the_wsl_nvidia_smi_off_path(monkeypatch, tmp_path):
    wsl = tmp_path / "wsl"
    wsl.mkdir()
    _fake_nvidia_smi(wsl, 'echo "NVIDIA GeForce RTX 3060, 566.14"')
    monkeypatch.setenv("WSL_LIB_DIR", str(wsl))
    monkeypatch.setenv("PATH", str(tmp_path))
    assert doctor.driver_status().version == "566.14"


def test_driver_status_gives_up_on_a_hung_nvidia_smi(monkeypatch, tmp_path, no_wsl_smi):
    _fake_nvidia_smi(tmp_path, f"exec {shutil.which('sleep')} 600")
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(doctor, "NVIDIA_SMI_TIMEOUT", 1)
    status = doctor.driver_status()
    assert status.found and not status.working
    assert "no answer within 1 s" in status.problem


# --- the CUDA line and the driver it needs ----------------------------------------------------


@pytest.mark.parametrize(
    ("driver", "torch", "jax", "cuda"),
    [
        ("470.256.02", "cu126", "cuda12", 12),
        ("525.60.13", "cu126", "cuda12", 12),
        ("579.99", "cu126", "cuda12", 12),
        ("580.65.06", "cu130", "cuda13", 13),
        ("595.10", "cu130", "cuda13", 13),
        ("not a version", "cu126", "cuda12", 12),
    ],
)
def test_cuda_builds_switch_to_cuda_13_at_driver_580(driver, torch, jax, cuda):
    builds = doctor.cuda_builds(driver)
    assert (builds.torch, builds.jax, builds.cuda) == (torch, jax, cuda)


@pytest.mark.parametrize(
    ("backend", "driver", "installed", "needed"),
    [
        ("tensorflow", "595.10", None, 525),  # TensorFlow's wheels are CUDA 12 on any driver
        ("torch", "595.10", None, 580),
        ("jax", "550.120", None, 525),
        ("torch", "470.256.02", None, 525),
        ("torch", "575.51", 13, 580),  # a CUDA 13 build installed earlier, then an older driver
        ("jax", "590.1", 12, 525),
    ],
)
def test_needed_driver(backend, driver, installed, needed):
    assert doctor.needed_driver(backend, driver, installed) == needed


def _fake_distribution(folder: Path, name: str, version: str) -> None:
    info = folder / f"{name}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")


def test_installed_cuda_reads_the_torch_build_tag(monkeypatch, tmp_path):
    _fake_distribution(tmp_path, "torch", "2.13.0+cu130")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert doctor.installed_cuda("torch") == 13


def test_installed_cuda_of_a_cpu_torch_is_unknown(monkeypatch, tmp_path):
    _fake_distribution(tmp_path, "torch", "2.13.0+cpu")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert doctor.installed_cuda("torch") is None


def test_installed_cuda_reads_the_jax_plugin(monkeypatch, tmp_path):
    _fake_distribution(tmp_path, "jax_cuda13_plugin", "0.10.2")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert doctor.installed_cuda("jax") == 13
    assert doctor.installed_cuda("tensorflow") == 12


def _pci_device(root: Path, slot: str, vendor: str, klass: str) -> None:
    device = root / slot
    device.mkdir(parents=True)
    (device / "vendor").write_text(f"{vendor}\n")
    (device / "class").write_text(f"{klass}\n")


def test_count_nvswitches_counts_nvidia_bridges_only(tmp_path):
    _pci_device(tmp_path, "0000:05:00.0", "0x10de", "0x068000")  # NVSwitch
    _pci_device(tmp_path, "0000:06:00.0", "0x10de", "0x068000")  # NVSwitch
    _pci_device(tmp_path, "0000:18:00.0", "0x10de", "0x030200")  # an H100
    _pci_device(tmp_path, "0000:00:1f.0", "0x8086", "0x068000")  # Intel's bridge
    assert doctor.count_nvswitches(tmp_path) == 2
    assert doctor.count_nvswitches(tmp_path / "no-sysfs") == 0


# --- MNIST ------------------------------------------------------------------------------------


def _write_mnist(path: Path) -> Path:
    """A file in Keras's mnist.npz layout (all zeros), as the loader checks it."""
    np.savez_compressed(
        path,
        x_train=np.zeros((60000, 28, 28), np.uint8),
        y_train=np.zeros(60000, np.uint8),
        x_test=np.zeros((10000, 28, 28), np.uint8),
        y_test=np.zeros(10000, np.uint8),
    )
    return path


@pytest.fixture
def keras_home(monkeypatch, tmp_path):
    home = tmp_path / "keras-home"
    monkeypatch.setenv("KERAS_HOME", str(home))
    monkeypatch.delenv(data.PATH_ENV, raising=False)
    return home


def test_mnist_from_mnist_path(monkeypatch, tmp_path, keras_home):
    path = _write_mnist(tmp_path / "mine.npz")
    monkeypatch.setenv(data.PATH_ENV, str(path))
    status = doctor.mnist_status()
    assert status.available
    assert str(path) in status.detail and "MNIST_PATH" in status.detail


def test_mnist_path_to_a_missing_file(monkeypatch, tmp_path, keras_home):
    monkeypatch.setenv(data.PATH_ENV, str(tmp_path / "nowhere.npz"))
    status = doctor.mnist_status()
    assert not status.available
    assert "does not exist" in status.detail


def test_mnist_path_to_a_broken_file(monkeypatch, tmp_path, keras_home):
    broken = tmp_path / "broken.npz"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    monkeypatch.setenv(data.PATH_ENV, str(broken))
    status = doctor.mnist_status()
    assert not status.available
    assert "broken" in status.detail


def test_mnist_from_the_keras_cache(keras_home):
    cached = data.cache_path()
    cached.parent.mkdir(parents=True)
    _write_mnist(cached)
    status = doctor.mnist_status()
    assert status.available
    assert str(cached) in status.detail


def test_mnist_not_downloaded_yet_says_where_it_will_go(keras_home):
    status = doctor.mnist_status()
    assert not status.available
    assert str(data.cache_path()) in status.detail
    assert str(keras_home) in status.detail


# --- backend choice and advice ----------------------------------------------------------------


def test_configured_backend_prefers_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    (tmp_path / "keras.json").write_text('{"backend": "torch"}')
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    assert doctor.configured_backend() == "jax"
    monkeypatch.delenv("KERAS_BACKEND")
    assert doctor.configured_backend() == "torch"
    (tmp_path / "keras.json").write_text("not json")
    assert doctor.configured_backend() == "tensorflow"


def test_advice_without_a_driver_points_to_the_setup_script():
    zh, en = doctor.gpu_advice("jax", "0.10.2", doctor.Driver(found=False, working=False))
    assert "setup_gpu_ubuntu.sh --dry-run" in zh and "setup_gpu_ubuntu.sh --dry-run" in en
    assert "Windows" in en


def test_advice_for_a_driver_not_loaded_says_reboot():
    driver = doctor.Driver(found=True, working=False, problem="couldn't communicate")
    zh, en = doctor.gpu_advice("tensorflow", "2.21.0", driver)
    assert "重启" in zh and "reboot" in en and "couldn't communicate" in en


@pytest.mark.parametrize(
    ("backend", "version", "command"),
    [
        ("tensorflow", "2.21.0", 'pip install "tensorflow[and-cuda]==2.21.0"'),
        ("jax", "0.10.2", 'pip install "jax[cuda12]==0.10.2"'),
        (
            "torch",
            "2.13.0+cpu",
            "pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cu126",
        ),
    ],
)
def test_advice_for_a_cpu_build_names_the_gpu_build(backend, version, command):
    driver = doctor.Driver(found=True, working=True, version="550.54.15")
    zh, en = doctor.gpu_advice(backend, version, driver)
    assert command in zh and command in en
    assert f"--backend {backend}" in en


def test_advice_for_a_cpu_build_on_driver_580_names_the_cuda_13_builds():
    driver = doctor.Driver(found=True, working=True, version="580.65.06")
    _, en = doctor.gpu_advice("torch", "2.13.0+cpu", driver)
    assert "pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cu130" in en
    _, en = doctor.gpu_advice("jax", "0.10.2", driver)
    assert 'pip install "jax[cuda13]==0.10.2"' in en


def test_advice_when_the_gpu_is_seen_but_fails_with_a_new_enough_driver():
    driver = doctor.Driver(found=True, working=True, version="550.120")
    zh, en = doctor.gpu_advice("jax", "0.10.2", driver, "XlaRuntimeError: no kernel image")
    assert "no kernel image" in en and "550.120 is new enough" in en and "525" in zh
    assert "too old" not in en


@pytest.mark.parametrize("failure", ["", "XlaRuntimeError: CUDA_ERROR_SYSTEM_DRIVER_MISMATCH"])
def test_advice_for_a_driver_too_old_says_so_and_does_not_blame_the_cpu_build(failure):
    driver = doctor.Driver(found=True, working=True, version="470.256.02")
    zh, en = doctor.gpu_advice("jax", "0.10.2", driver, failure)
    assert "driver 470.256.02 is too old" in en
    assert "the CUDA 12 build of jax needs driver 525 or newer" in en
    assert "驱动 470.256.02 太旧" in zh and "525" in zh
    assert "CPU build" not in en and "CPU 版" not in zh


def test_advice_for_a_cuda_13_build_on_a_driver_older_than_580():
    driver = doctor.Driver(found=True, working=True, version="575.51")
    _, en = doctor.gpu_advice("torch", "2.13.0+cu130", driver, installed=13)
    assert "the CUDA 13 build of torch needs driver 580 or newer" in en


def test_advice_on_an_nvswitch_machine_names_the_fabric_manager():
    driver = doctor.Driver(found=True, working=True, version="550.120", gpus=("NVIDIA H100",) * 8)
    zh, en = doctor.gpu_advice("tensorflow", "2.21.0", driver, nvswitches=4)
    assert "4 NVSwitch chips" in en and "nvidia-fabricmanager-550" in en
    assert "sudo systemctl enable --now nvidia-fabricmanager" in en
    assert "nvidia-fabricmanager" in zh
    # Without NVSwitch the same machine state is blamed on the CPU build.
    _, en = doctor.gpu_advice("tensorflow", "2.21.0", driver)
    assert "fabricmanager" not in en and "CPU build" in en


def test_column_width_counts_chinese_characters_twice():
    assert doctor._width("Python") == 6
    assert doctor._width("后端 / Backend") == 14
    assert doctor._width("GPU 可用 / GPU usable") == 21


def test_labels_line_up_with_chinese_text():
    # Chinese characters take two columns in a terminal, so the values start in column 26 for
    # every label: 2 + 14 + 10 spaces, 2 + 6 + 18 spaces.
    assert doctor._row("后端 / Backend", "x") == "  后端 / Backend          x"
    assert doctor._row("Python", "x") == "  Python                  x"


# --- the whole program ------------------------------------------------------------------------


def run_doctor(
    *args: str, backend: str, hide: tuple[str, ...] = (), env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`python -m keras_tutorial.doctor ARGS` with the packages in ``hide`` not importable."""
    code = (
        "import runpy, sys\n"
        f"for name in {list(hide)!r}:\n"
        "    sys.modules[name] = None  # what a package that is not installed looks like\n"
        f"sys.argv = ['doctor', *{list(args)!r}]\n"
        "runpy.run_module('keras_tutorial.doctor', run_name='__main__')\n"
    )
    full_env = {**os.environ, "KERAS_BACKEND": backend, **(env or {})}
    return subprocess.run(
        [sys.executable, "-c", code],
        env=full_env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )


def _needs(name: str) -> None:
    if not backend_available(name):
        pytest.skip(f"{name} is not installed (pip install -e '.[{name}]')")


def test_doctor_with_only_jax(tmp_path):
    _needs("jax")
    import jax

    result = run_doctor(
        backend="jax", hide=("tensorflow", "torch"), env={"KERAS_HOME": str(tmp_path)}
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "Traceback" not in result.stderr
    assert f"jax {jax.__version__}" in out
    for label in ("OS", "Python", "Keras", "Backend", "Devices", "GPU usable", "driver", "MNIST"):
        assert label in out, out
    assert f"{sys.version_info.major}.{sys.version_info.minor}" in out


def test_doctor_with_only_torch(tmp_path):
    _needs("torch")
    import torch

    result = run_doctor(
        backend="torch", hide=("tensorflow", "jax"), env={"KERAS_HOME": str(tmp_path)}
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"torch {torch.__version__}" in result.stdout


def test_require_gpu_without_a_gpu_fails_cleanly_with_advice(tmp_path):
    _needs("jax")
    import jax

    if any(d.platform == "gpu" for d in jax.devices()):
        pytest.skip("this machine has a usable GPU")
    result = run_doctor(
        "--require-gpu",
        backend="jax",
        hide=("tensorflow",),
        env={"KERAS_HOME": str(tmp_path), "PATH": str(tmp_path)},
    )
    assert_clean_error(result, "no usable GPU", "没有可用的 GPU")
    # The report came first, so the learner sees what was checked.
    assert "GPU usable" in result.stdout
    assert "nvidia-smi not found" in result.stdout
    assert "setup_gpu_ubuntu.sh" in result.stderr


def test_missing_backend_is_a_clean_error_naming_the_alternatives(tmp_path):
    result = run_doctor(
        backend="tensorflow", hide=("tensorflow",), env={"KERAS_HOME": str(tmp_path)}
    )
    assert_clean_error(result, "KERAS_BACKEND=jax", "tensorflow")
    assert "cannot start" in result.stdout


def test_doctor_reports_a_driver_too_old_for_the_backend(tmp_path):
    _needs("jax")
    _fake_nvidia_smi(tmp_path, 'echo "NVIDIA GeForce GTX 1080, 470.256.02"')
    result = run_doctor(
        "--require-gpu",
        backend="jax",
        hide=("tensorflow",),
        env={
            "KERAS_HOME": str(tmp_path),
            "PATH": str(tmp_path),
            "JAX_PLATFORMS": "cpu",
            "WSL_LIB_DIR": str(tmp_path / "absent"),
        },
    )
    assert_clean_error(result, "Driver 470.256.02 is too old", "驱动 470.256.02 太旧")
    assert "needs driver 525 or newer" in result.stderr
    assert "CPU build" not in result.stderr
    assert "470.256.02 · NVIDIA GeForce GTX 1080 — 太旧 / too old" in result.stdout


def test_backend_summary_names_keras_the_backend_and_its_devices():
    _needs("jax")
    code = "from keras_tutorial.settings import backend_summary\nprint(backend_summary())\n"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    # The versions are the installed packages' (read from their metadata); jax names its one CPU
    # device cpu:0.
    keras_version, jax_version = version("keras"), version("jax")
    expected = f"Keras {keras_version} · backend jax {jax_version} · devices: cpu:0"
    assert result.stdout.strip().splitlines()[-1] == expected
