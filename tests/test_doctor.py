"""The doctor: its parts in-process, and `python -m keras_tutorial.doctor` as a learner runs it.

The whole-program tests run in a fresh interpreter with the backend set by KERAS_BACKEND, and
hide TensorFlow (and JAX) the way a missing package looks to Python, so that they show the doctor
working on a machine that has only JAX or only PyTorch.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pytest
from helpers import ROOT, assert_clean_error, backend_available

from keras_tutorial import data, doctor, gpu

CASES = list(
    itertools.product(
        gpu.BACKENDS,
        ("6.1", "7.0", "7.5", "8.6", "8.9", "9.0", "12.0"),
        ("535.247.01", "570.195.03", "580.82.07"),
    )
)

# --- the installed build and the command that switches it ------------------------------------


def _fake_distribution(folder: Path, name: str, version: str) -> None:
    info = folder / f"{name}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")


def test_installed_build_reads_the_torch_build_tag(monkeypatch, tmp_path):
    _fake_distribution(tmp_path, "torch", "2.13.0+cu130")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert doctor.installed_build("torch") == "cu130"


def test_installed_build_of_a_cpu_torch_is_none(monkeypatch, tmp_path):
    _fake_distribution(tmp_path, "torch", "2.13.0+cpu")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert doctor.installed_build("torch") is None


def test_installed_build_reads_the_jax_plugin_and_tensorflows_gpu_package(monkeypatch, tmp_path):
    _fake_distribution(tmp_path, "jax_cuda13_plugin", "0.10.2")
    _fake_distribution(tmp_path, "tensorflow", "2.21.0")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert doctor.installed_build("jax") == "cuda13"
    assert doctor.installed_build("tensorflow") == "cuda12"


def test_switch_command_is_make_gpu_for_this_interpreters_environment():
    assert doctor.switch_command("jax", str(ROOT / ".venv")) == f"make -C {ROOT} gpu BACKEND=jax"
    other = doctor.switch_command("torch", "/opt/conda/envs/keras tutorial")
    assert other == f"make -C {ROOT} gpu BACKEND=torch VENV='/opt/conda/envs/keras tutorial'"


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


def _smi(version: str, cap: str = "8.9", gpus: tuple[str, ...] = ("NVIDIA RTX",)) -> doctor.Driver:
    return doctor.Driver(True, True, version, gpus, (cap,) * len(gpus))


MAKE_GPU = "make -C /repo gpu BACKEND="


def test_advice_without_a_driver_points_to_the_setup_script():
    zh, en = doctor.gpu_advice("jax", doctor.Driver(found=False, working=False))
    assert "setup_gpu_ubuntu.sh --dry-run" in zh and "setup_gpu_ubuntu.sh --dry-run" in en
    assert "Windows" in en


def test_advice_for_a_driver_not_loaded_says_reboot():
    driver = doctor.Driver(found=True, working=False, problem="couldn't communicate")
    zh, en = doctor.gpu_advice("tensorflow", driver)
    assert "重启" in zh and "reboot" in en and "couldn't communicate" in en


@pytest.mark.parametrize(("backend", "cap", "driver"), CASES)
def test_the_doctors_advice_agrees_with_the_table_for_every_gpu_and_driver(backend, cap, driver):
    """The doctor, for a CPU build on this GPU and driver, names the table's build and the
    command that installs it, or the table's reason why there is none (as the script says)."""
    choice = gpu.choose(backend, cap, driver)
    zh, en = doctor.gpu_advice(backend, _smi(driver, cap), command=MAKE_GPU + backend)
    if choice.build:
        assert f"the {choice.build} build" in en and MAKE_GPU + backend in en
        assert choice.build in zh and MAKE_GPU + backend in zh
    else:
        assert en.startswith(choice.en) and zh.startswith(choice.zh)
        assert MAKE_GPU not in en


def test_advice_for_a_build_that_does_not_fit_names_the_one_that_does():
    """A cu130 PyTorch on a GTX 1080 (Pascal): 'no kernel image is available'."""
    zh, en = doctor.gpu_advice(
        "torch", _smi("580.82.07", "6.1"), "no kernel image", installed="cu130", command="CMD"
    )
    assert "the cu130 build of torch is installed, which does not fit" in en
    assert "the cu126 build does" in en and "Run `CMD`" in en
    assert "cu126" in zh and "CMD" in zh


def test_advice_when_the_fitting_build_is_seen_but_fails():
    _, en = doctor.gpu_advice(
        "jax", _smi("550.120"), "XlaRuntimeError: boom", installed="cuda12", command="CMD"
    )
    assert "XlaRuntimeError: boom" in en and "cuda12 build installed fits" in en
    assert "too old" not in en


def test_advice_for_a_driver_too_old_for_every_build_says_which_driver():
    zh, en = doctor.gpu_advice("jax", _smi("535.247.01", "12.0"))
    assert "needs driver 570 or newer" in en and "ubuntu-drivers list" in en
    assert "570" in zh and "CPU build" not in en


def test_advice_on_an_nvswitch_machine_names_the_fabric_manager():
    driver = _smi("550.120", "9.0", ("NVIDIA H100",) * 8)
    zh, en = doctor.gpu_advice("tensorflow", driver, nvswitches=4, command="CMD")
    assert "4 NVSwitch chips" in en and "nvidia-fabricmanager-550" in en
    assert "sudo systemctl enable --now nvidia-fabricmanager" in en
    assert "nvidia-fabricmanager" in zh
    # Without NVSwitch the same machine state is blamed on the CPU build.
    _, en = doctor.gpu_advice("tensorflow", driver, command="CMD")
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
    result = run_doctor(
        backend="jax", hide=("tensorflow", "torch"), env={"KERAS_HOME": str(tmp_path)}
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "Traceback" not in result.stderr
    assert f"jax {version('jax')}" in out  # read from its metadata: importing JAX here is slow
    for label in ("OS", "Python", "Keras", "Backend", "Devices", "GPU usable", "driver", "MNIST"):
        assert label in out, out
    assert f"{sys.version_info.major}.{sys.version_info.minor}" in out


def test_doctor_with_only_torch(tmp_path):
    _needs("torch")
    result = run_doctor(
        backend="torch", hide=("tensorflow", "jax"), env={"KERAS_HOME": str(tmp_path)}
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"torch {version('torch')}" in result.stdout


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
    program = tmp_path / "nvidia-smi"
    program.write_text('#!/bin/sh\necho "NVIDIA GeForce GTX 1080, 6.1, 470.256.02"\n')
    program.chmod(0o755)
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
    assert "470.256.02 · NVIDIA GeForce GTX 1080" in result.stdout
    assert "compute capability 6.1" in result.stdout


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
