"""keras_tutorial.gpu: the one nvidia-smi call and the one table of GPU builds.

nvidia-smi is a shell stand-in on PATH; the table is the committed gpu_builds.tsv, read through
gpu.choose (which make gpu, the doctor and setup_gpu_ubuntu.sh all use; the bats scenario "the
script's build choice agrees with the table" runs the script for every row below).
"""

from __future__ import annotations

import itertools
import shutil
import time
import tomllib
from pathlib import Path

import pytest
from helpers import ROOT

from keras_tutorial import gpu

# The GPU generations and driver branches the issue names: Pascal, Volta, Turing, Ampere, Ada,
# Hopper, Blackwell × R535, R570, R580.
CAPS = ("6.1", "7.0", "7.5", "8.6", "8.9", "9.0", "12.0")
DRIVERS = ("535.247.01", "570.195.03", "580.82.07")
CASES = list(itertools.product(gpu.BACKENDS, CAPS, DRIVERS))


def _fake_nvidia_smi(folder: Path, body: str) -> None:
    program = folder / "nvidia-smi"
    program.write_text(f"#!/bin/sh\n{body}\n")
    program.chmod(0o755)


@pytest.fixture
def no_wsl_smi(monkeypatch, tmp_path):
    monkeypatch.setenv("WSL_LIB_DIR", str(tmp_path / "absent"))


# --- nvidia-smi -------------------------------------------------------------------------------


def test_parse_reads_every_gpu_its_compute_capability_and_the_driver():
    text = "NVIDIA GeForce GTX 1080, 6.1, 580.82.07\nNVIDIA GeForce RTX 3090, 8.6, 580.82.07\n"
    assert gpu.parse(text) == (
        "580.82.07",
        ("NVIDIA GeForce GTX 1080", "NVIDIA GeForce RTX 3090"),
        ("6.1", "8.6"),
    )


def test_parse_keeps_commas_in_gpu_names_and_skips_error_lines():
    text = "Failed to initialize NVML: Driver/library version mismatch\nRTX 4090, Ti, 8.9, 560.35\n"
    assert gpu.parse(text) == ("560.35", ("RTX 4090, Ti",), ("8.9",))


def test_query_reads_nvidia_smi_and_the_lowest_compute_capability(
    monkeypatch, tmp_path, no_wsl_smi
):
    _fake_nvidia_smi(tmp_path, 'printf "H100, 9.0, 570.195.03\\nV100, 7.0, 570.195.03\\n"')
    monkeypatch.setenv("PATH", str(tmp_path))
    smi = gpu.query()
    assert smi.working and smi.version == "570.195.03"
    assert smi.gpus == ("H100", "V100") and smi.cap == "7.0"


def test_query_reports_a_driver_that_is_not_loaded(monkeypatch, tmp_path, no_wsl_smi):
    _fake_nvidia_smi(
        tmp_path, 'echo "NVIDIA-SMI has failed because it couldn\'t communicate"; exit 9'
    )
    monkeypatch.setenv("PATH", str(tmp_path))
    smi = gpu.query()
    assert smi.found and not smi.working and "couldn't communicate" in smi.problem


def test_query_without_nvidia_smi(monkeypatch, tmp_path, no_wsl_smi):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert gpu.query() == gpu.Smi(found=False, working=False)


def test_query_finds_the_wsl_nvidia_smi_off_path(monkeypatch, tmp_path):
    wsl = tmp_path / "wsl"
    wsl.mkdir()
    _fake_nvidia_smi(wsl, 'echo "NVIDIA GeForce RTX 3060, 8.6, 566.14"')
    monkeypatch.setenv("WSL_LIB_DIR", str(wsl))
    monkeypatch.setenv("PATH", str(tmp_path))
    assert gpu.query().version == "566.14"


def test_query_gives_up_on_a_hung_nvidia_smi_and_kills_it(monkeypatch, tmp_path, no_wsl_smi):
    pid_file = tmp_path / "pid"
    _fake_nvidia_smi(tmp_path, f"echo $$ > {pid_file}; exec {shutil.which('sleep')} 600")
    monkeypatch.setenv("PATH", str(tmp_path))
    smi = gpu.query(timeout=1)
    assert smi.found and not smi.working and "no answer within 1 s" in smi.problem
    # Killed (a process stuck in the kernel would die when it leaves it; it is not waited for).
    status = Path(f"/proc/{int(pid_file.read_text())}/status")
    for _ in range(100):  # SIGKILL lands asynchronously
        if not status.exists() or "State:\tZ" in status.read_text():
            break
        time.sleep(0.05)
    assert not status.exists() or "State:\tZ" in status.read_text()


# --- the table --------------------------------------------------------------------------------


@pytest.mark.parametrize(("backend", "cap", "driver"), CASES)
def test_a_chosen_build_fits_the_gpu_and_the_driver_by_its_own_row(backend, cap, driver):
    choice = gpu.choose(backend, cap, driver, "x86_64")
    rows = {(r.backend, r.build): r for r in gpu.table() if r.kind == "build"}
    if choice.build:
        row = rows[backend, choice.build]
        assert row.holds(cap) and gpu.driver_major(driver) >= row.min_driver
        assert choice.lock == row.lock and (ROOT / "requirements" / row.lock).is_file()
    else:
        assert choice.needs_driver > gpu.driver_major(driver) or not choice.backends or choice.zh


@pytest.mark.parametrize(("backend", "driver"), list(itertools.product(("jax", "torch"), DRIVERS)))
@pytest.mark.parametrize("cap", ["6.1", "7.0"])
def test_pascal_and_volta_never_get_a_cuda_13_build(backend, driver, cap):
    """CUDA 13 dropped compute capability below 7.5: 'no kernel image is available'."""
    choice = gpu.choose(backend, cap, driver, "x86_64")
    assert choice.build and choice.cuda == 12


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_turing_and_newer_on_driver_580_get_the_cuda_13_build(backend):
    for cap in ("7.5", "8.6", "8.9", "9.0", "12.0"):
        assert gpu.choose(backend, cap, "580.82.07", "x86_64").cuda == 13


def test_blackwell_needs_driver_570_and_never_gets_pytorchs_cu126():
    for backend in gpu.BACKENDS:
        old = gpu.choose(backend, "12.0", "535.247.01", "x86_64")
        assert not old.build and old.needs_driver == 570
        assert "570" in old.en and "570" in old.zh
    assert gpu.choose("torch", "12.0", "570.195.03", "x86_64").build == "cu128"


def test_aarch64_has_no_tensorflow_gpu_build_and_names_the_backends_that_have_one():
    choice = gpu.choose("tensorflow", "9.0", "580.82.07", "aarch64")
    assert not choice.build and choice.backends == ("jax", "torch")
    assert "CPU-only" in choice.en and "jax, torch" in choice.en


def test_choose_from_the_command_line_prints_the_build_or_exits_3(capsys):
    assert gpu.main(["choose", "--backend", "torch", "--cap", "6.1", "--driver", "580.1"]) == 0
    assert capsys.readouterr().out == "cu126\tgpu-torch-cu126.txt\n"
    code = gpu.main(["choose", "--backend", "jax", "--cap", "12.0", "--driver", "535.1"])
    assert code == 3 and "570" in capsys.readouterr().err


# --- switching builds -------------------------------------------------------------------------


def test_switching_to_tensorflows_gpu_build_removes_the_cpu_build_first():
    assert gpu.leftovers("", "gpu-tensorflow.txt", {"tensorflow-cpu", "keras"}) == [
        "tensorflow-cpu"
    ]


def test_switching_back_to_cpu_removes_what_only_the_gpu_lock_brought():
    installed = {"tensorflow", "nvidia-cublas-cu12", "keras", "numpy", "tensorflow-cpu"}
    left = gpu.leftovers("gpu-tensorflow.txt", "", installed)
    assert "tensorflow" in left and "nvidia-cublas-cu12" in left
    assert "keras" not in left and "numpy" not in left


def test_switching_jax_builds_keeps_the_packages_both_share():
    installed = {"jax-cuda12-plugin", "jax-cuda12-pjrt", "jax", "jaxlib", "nvidia-cudnn-cu12"}
    left = gpu.leftovers("gpu-jax-cuda12.txt", "gpu-jax-cuda13.txt", installed)
    assert {"jax-cuda12-plugin", "jax-cuda12-pjrt", "nvidia-cudnn-cu12"} <= set(left)
    assert "jax" not in left and "jaxlib" not in left


def test_leaving_pytorchs_cuda_build_removes_the_cuda_packages_its_index_brought():
    installed = {"torch", "nvidia-cublas", "triton", "numpy"}
    assert gpu.leftovers("gpu-torch-cu130.txt", "", installed) == ["nvidia-cublas", "triton"]


# --- the GPU locks ----------------------------------------------------------------------------


def _lock_entries(name: str) -> dict[str, tuple[str, int]]:
    """package -> (version, number of hashes) of a lock, markers ignored (Linux-only packages)."""
    entries: dict[str, tuple[str, int]] = {}
    current = ""
    for line in (ROOT / "requirements" / name).read_text().splitlines():
        if line and line[0] not in "# ":
            current, _, version = line.split(";")[0].rstrip(" \\").partition("==")
            entries[current] = (version, 0)
        elif "--hash=" in line and current:
            version, count = entries[current]
            entries[current] = (version, count + 1)
    return entries


@pytest.mark.parametrize(
    "lock", sorted({r.lock for r in gpu.table() if r.kind == "build" and r.backend != "torch"})
)
def test_hashed_gpu_locks_carry_hashes_and_keep_the_test_locks_versions(lock):
    entries, test = _lock_entries(lock), _lock_entries("test.txt")
    assert entries and all(count for _, count in entries.values()), lock
    shared = set(entries) & set(test)
    assert {"keras", "numpy"} <= shared
    assert {n: entries[n][0] for n in shared} == {n: test[n][0] for n in shared}


def test_pytorch_gpu_locks_pin_pyprojects_torch_with_the_tables_build():
    pin = next(
        p
        for p in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
            "optional-dependencies"
        ]["torch"]
    )
    for row in (r for r in gpu.table() if r.kind == "build" and r.backend == "torch"):
        assert _lock_entries(row.lock) == {"torch": (f"{pin.split('==')[1]}+{row.build}", 0)}


def test_every_lock_the_table_names_exists_and_every_gpu_lock_is_in_the_table():
    named = {r.lock for r in gpu.table() if r.kind == "build"}
    on_disk = {p.name for p in (ROOT / "requirements").glob("gpu-*.txt")}
    assert named == on_disk
