"""Check that this machine can run the tutorial: ``python -m keras_tutorial.doctor``.

Prints the OS, Python, Keras, the backend and its version, the devices the backend sees, whether a
GPU is usable, the NVIDIA driver version from ``nvidia-smi`` and whether MNIST is already on disk.
Exits 1 with advice when Keras cannot start, and, with ``--require-gpu``, when no GPU is usable
(found and able to compute): a driver too old for the backend's CUDA build, a CPU build, a failing
computation, or NVSwitch without nvidia-fabricmanager.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import json
import os
import platform
import shutil
import subprocess
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from keras_tutorial import data, quiet_tensorflow
from keras_tutorial.errors import TutorialError, install_handler
from keras_tutorial.settings import BackendInfo, Parser, backend_info

TORCH_INDEX = "https://download.pytorch.org/whl/"

# Under WSL the Windows driver puts nvidia-smi in this folder, which is not always on PATH.
WSL_LIB_DIR = "/usr/lib/wsl/lib"
# Seconds nvidia-smi may take: a stuck driver must not hang the doctor.
NVIDIA_SMI_TIMEOUT = 30

# NVSwitch chips (HGX boards) show up as PCI bridges of NVIDIA's vendor id.
PCI_DEVICES = Path("/sys/bus/pci/devices")
NVIDIA_VENDOR = "0x10de"
PCI_BRIDGE_OTHER = "0x0680"


@dataclass(frozen=True)
class CudaBuilds:
    """The CUDA line of the GPU wheels: its major version, PyTorch's wheel index, JAX's extra."""

    cuda: int
    torch: str
    jax: str


# The table of CUDA lines, kept in step with choose_cuda_line and min_driver in
# setup_gpu_ubuntu.sh (a bats scenario runs the script and compares): CUDA 12 runs on drivers from
# 525 on; CUDA 13, which the newest GPU generation needs, from 580 on. TensorFlow's pip wheels are
# CUDA 12 only.
MIN_DRIVER = {12: 525, 13: 580}
CUDA12 = CudaBuilds(12, "cu126", "cuda12")
CUDA13 = CudaBuilds(13, "cu130", "cuda13")


def driver_major(version: str) -> int | None:
    """The driver's branch, e.g. 550 for '550.120'; None when it is not a version."""
    head = version.strip().split(".", 1)[0]
    return int(head) if head.isdigit() else None


def cuda_builds(driver_version: str) -> CudaBuilds:
    """The GPU builds to install for a driver: CUDA 13 from driver 580 on, CUDA 12 before."""
    major = driver_major(driver_version)
    return CUDA13 if major is not None and major >= MIN_DRIVER[13] else CUDA12


def installed_cuda(backend: str) -> int | None:
    """The CUDA major version of the backend's installed GPU build, when its metadata says."""
    if backend == "tensorflow":
        return 12
    if backend == "torch":
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            local = importlib.metadata.version("torch").partition("+")[2]
            if local.startswith("cu") and local[2:].isdigit():
                return int(local[2:4])
        return None
    for major in sorted(MIN_DRIVER, reverse=True):
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            importlib.metadata.version(f"jax-cuda{major}-plugin")
            return major
    return None


def backend_cuda(backend: str, driver_version: str, installed: int | None = None) -> int:
    """The CUDA major version of the backend's GPU build on this driver.

    ``installed`` is that of the build already installed, when known; otherwise the build that
    ``cuda_builds`` picks for the driver counts (TensorFlow's is always CUDA 12).
    """
    if installed:
        return installed
    return CUDA12.cuda if backend == "tensorflow" else cuda_builds(driver_version).cuda


def needed_driver(backend: str, driver_version: str, installed: int | None = None) -> int:
    """The oldest driver that runs the backend's GPU build (see ``backend_cuda``)."""
    return MIN_DRIVER.get(backend_cuda(backend, driver_version, installed), MIN_DRIVER[12])


def count_nvswitches(devices: Path = PCI_DEVICES) -> int:
    """How many NVSwitch chips the PCI bus shows (0 where there is no sysfs, as under WSL)."""
    count = 0
    with contextlib.suppress(OSError):
        for device in devices.iterdir():
            with contextlib.suppress(OSError):
                vendor = (device / "vendor").read_text().strip()
                klass = (device / "class").read_text().strip()
                count += vendor == NVIDIA_VENDOR and klass.startswith(PCI_BRIDGE_OTHER)
    return count


@dataclass(frozen=True)
class Driver:
    """What ``nvidia-smi`` said: ``found`` is False when it is not installed at all."""

    found: bool
    working: bool
    version: str = ""
    gpus: tuple[str, ...] = ()
    problem: str = ""


@dataclass(frozen=True)
class Mnist:
    """Whether MNIST is on disk, where, and why not."""

    available: bool
    detail: str


def parse_nvidia_smi(text: str) -> tuple[str, tuple[str, ...]]:
    """Parse ``nvidia-smi --query-gpu=name,driver_version --format=csv,noheader`` output.

    Returns the driver version (the same for every GPU of one machine) and the GPU names.
    """
    names, version = [], ""
    for line in text.splitlines():
        if "," not in line:
            continue
        name, _, ver = line.rpartition(",")
        names.append(name.strip())
        version = version or ver.strip()
    return version, tuple(names)


def find_nvidia_smi() -> str | None:
    """The nvidia-smi program on PATH, or the one the Windows driver puts into WSL.

    WSL_LIB_DIR overrides WSL's folder, as it does for setup_gpu_ubuntu.sh.
    """
    found = shutil.which("nvidia-smi")
    if found:
        return found
    wsl = Path(os.environ.get("WSL_LIB_DIR") or WSL_LIB_DIR) / "nvidia-smi"
    return str(wsl) if wsl.is_file() else None


def driver_status() -> Driver:
    """Ask nvidia-smi for the driver version; never raises."""
    program = find_nvidia_smi()
    if program is None:
        return Driver(found=False, working=False)
    try:
        result = subprocess.run(
            [program, "--query-gpu=name,driver_version", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            timeout=NVIDIA_SMI_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        stuck = f"no answer within {NVIDIA_SMI_TIMEOUT} s: the driver or the GPU is stuck"
        return Driver(found=True, working=False, problem=stuck)
    except OSError as exc:
        return Driver(found=True, working=False, problem=str(exc))
    version, gpus = parse_nvidia_smi(result.stdout)
    if result.returncode != 0 or not version:
        said = (result.stdout + result.stderr).strip().splitlines()
        return Driver(
            found=True,
            working=False,
            problem=said[0] if said else f"exit code {result.returncode}",
        )
    return Driver(found=True, working=True, version=version, gpus=gpus)


def mnist_status() -> Mnist:
    """Where the loader would find MNIST (MNIST_PATH, then the Keras cache), checked by content."""
    location = data.mnist_location()
    path, origin = location.path, location.origin
    if location.given:
        if not path.is_file():
            return Mnist(False, f"{path} 不存在 / does not exist ({origin})")
    else:
        if not path.is_file():
            return Mnist(
                False,
                f"尚未下载 / not downloaded yet: 第一次运行章节时下载到 / the first chapter "
                f"downloads it to {path} (or set {data.PATH_ENV})",
            )
    try:
        data.read_npz(path)
    except TutorialError as exc:
        return Mnist(False, f"{path} 已损坏 / is broken ({origin}): {exc.en}")
    return Mnist(True, f"{path} ({origin})")


def configured_backend() -> str:
    """The backend Keras will pick, found without importing Keras (which fails if it is missing)."""
    name = os.environ.get("KERAS_BACKEND", "").strip()
    if name:
        return name
    try:
        config = json.loads((data.keras_home() / "keras.json").read_text())
        return str(config.get("backend") or "tensorflow")
    except (OSError, ValueError, AttributeError):
        return "tensorflow"


def compute_check() -> str:
    """Run a small matrix product through Keras on its default device; return where it ran."""
    import keras

    x = keras.ops.ones((64, 64))
    total = float(keras.ops.sum(keras.ops.matmul(x, x)))
    if total != 64.0**3:
        raise RuntimeError(f"wrong result {total}")
    device = getattr(x, "device", None)  # jax and torch arrays know where they live
    if callable(device):
        device = device()
    return str(device) if device is not None else "?"


def os_line() -> str:
    """Distribution name, kernel and machine, e.g. 'Ubuntu 24.04.1 LTS · Linux 6.8.0 · x86_64'."""
    name = platform.system()
    with contextlib.suppress(OSError):
        name = platform.freedesktop_os_release().get("PRETTY_NAME", name)
    kernel = f"{platform.system()} {platform.release()}"
    wsl = " · WSL" if "microsoft" in platform.release().lower() else ""
    return f"{name} · {kernel} · {platform.machine()}{wsl}"


def installed_version(package: str) -> str:
    """A package's installed version, read without importing it."""
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "未安装 / not installed"


def _base_version(version: str) -> str:
    return version.split("+", 1)[0]


def gpu_advice(
    backend: str,
    version: str,
    driver: Driver,
    failure: str = "",
    nvswitches: int = 0,
    installed: int | None = None,
) -> tuple[str, str]:
    """What to do when no GPU is usable, in Chinese and English.

    ``failure`` is the error of the test computation when the backend saw a GPU but could not
    use it; ``nvswitches`` the number of NVSwitch chips (``count_nvswitches``); ``installed`` the
    CUDA major version of the backend's installed GPU build (``installed_cuda``), when known.
    """
    if not driver.found:
        return (
            "没有找到 NVIDIA 驱动（nvidia-smi）。Ubuntu 上先运行 "
            "`bash setup_gpu_ubuntu.sh --dry-run` 看它会做什么，再去掉 --dry-run 运行；"
            "WSL 里请在 Windows 上安装 NVIDIA 驱动，不要在 Linux 里装。",
            "no NVIDIA driver found (nvidia-smi). On Ubuntu, run "
            "`bash setup_gpu_ubuntu.sh --dry-run` to see what it would do, then run it without "
            "--dry-run; under WSL install the NVIDIA driver on Windows, not inside Linux.",
        )
    if not driver.working:
        return (
            f"nvidia-smi 运行失败（{driver.problem}）。如果刚装好驱动，请重启；开着安全启动"
            "(Secure Boot) 时，重启时要在蓝色的 MOK 界面登记密钥。重启后仍然这样，运行 "
            "`bash setup_gpu_ubuntu.sh`，它会查明原因。",
            f"nvidia-smi fails ({driver.problem}). If the driver was just installed, reboot; with "
            "Secure Boot on, enroll the key in the blue MOK screen during that reboot. If it still "
            "fails after the reboot, run `bash setup_gpu_ubuntu.sh`, which finds out why.",
        )
    cuda = backend_cuda(backend, driver.version, installed)
    needed = needed_driver(backend, driver.version, installed)
    major = driver_major(driver.version)
    if major is not None and major < needed:
        return (
            f"驱动 {driver.version} 太旧：{backend} 的 CUDA {cuda} 版需要 {needed} 或更新的驱动。"
            "更新驱动（Ubuntu：ubuntu-drivers list 看有哪些版本；WSL：在 Windows 上更新），"
            "重启后再试。",
            f"driver {driver.version} is too old: the CUDA {cuda} build of {backend} needs driver "
            f"{needed} or newer. Update the driver (Ubuntu: ubuntu-drivers list shows the "
            "versions; WSL: update it on Windows), reboot and try again.",
        )
    builds = cuda_builds(driver.version)
    pinned = _base_version(version)
    install = {
        # make installs the CPU build, tensorflow-cpu, which owns the same folder: remove it first.
        "tensorflow": "pip uninstall -y tensorflow-cpu && "
        f'pip install "tensorflow[and-cuda]=={pinned}"',
        "jax": f'pip install "jax[{builds.jax}]=={pinned}"',
        "torch": f"pip install torch=={pinned} --index-url {TORCH_INDEX}{builds.torch}",
    }.get(backend, f"bash setup_gpu_ubuntu.sh --backend {backend}")
    if nvswitches:
        return (
            f"这台机器有 {nvswitches} 个 NVSwitch（HGX 这类多卡服务器），CUDA 要有 "
            "nvidia-fabricmanager 服务才能用 GPU。安装与驱动同分支的 "
            f"nvidia-fabricmanager-{major}，运行 sudo systemctl enable --now "
            "nvidia-fabricmanager，再试。如果这个服务已经在运行，装的多半是后端的 CPU 版："
            f"运行 `{install}`。",
            f"this machine has {nvswitches} NVSwitch chips (an HGX-style server), where CUDA "
            "needs the nvidia-fabricmanager service to use the GPUs. Install "
            f"nvidia-fabricmanager-{major}, the driver's branch, run sudo systemctl enable --now "
            "nvidia-fabricmanager, then try again. If that service runs already, the backend's "
            f"CPU build is probably installed: run `{install}`.",
        )
    if failure:
        return (
            f"{backend} 看得到 GPU，但在上面计算失败（{failure}）。驱动 {driver.version} "
            f"够新（CUDA {cuda} 需要 {needed}）；请看上面的错误，重启后再试，不行就重新安装后端的 "
            f"GPU 版：bash setup_gpu_ubuntu.sh --backend {backend} --recreate。",
            f"{backend} sees a GPU but computing on it failed ({failure}). Driver "
            f"{driver.version} is new enough (CUDA {cuda} needs {needed}); see the error above, "
            "reboot and try again, or reinstall the backend's GPU build: "
            f"bash setup_gpu_ubuntu.sh --backend {backend} --recreate.",
        )
    return (
        f"驱动 {driver.version} 正常，但 {backend} 看不到 GPU：装的多半是 CPU 版。"
        f"在这个环境里运行 `{install}`，或运行 `bash setup_gpu_ubuntu.sh --backend {backend}`。",
        f"driver {driver.version} works, but {backend} sees no GPU: its CPU build is probably "
        f"installed. In this environment run `{install}`, or `bash setup_gpu_ubuntu.sh "
        f"--backend {backend}`.",
    )


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _row(label: str, value: str) -> str:
    return f"  {label}{' ' * max(1, 24 - _width(label))}{value}"


def main(argv: list[str] | None = None) -> int:
    """Print the report; raise TutorialError when the environment cannot do what was asked."""
    parser = Parser(
        prog="python -m keras_tutorial.doctor",
        description="检查 Python、Keras、后端、GPU 驱动与 MNIST / check Python, Keras, the "
        "backend, the GPU driver and MNIST",
    )
    parser.add_argument(
        "--require-gpu",
        action="store_true",
        help="没有可用 GPU 时以非零状态退出 / exit non-zero when no GPU is usable",
    )
    args = parser.parse_args(argv)
    quiet_tensorflow.install()

    print("Keras 教程环境体检 / Keras tutorial environment check")
    print(_row("操作系统 / OS", os_line()))
    print(_row("Python", f"{platform.python_version()} · {sys.executable}"))

    backend = configured_backend()
    print(_row("Keras", installed_version("keras")))
    info: BackendInfo | None = None
    failure = ""
    try:
        info = backend_info()
    except Exception as exc:  # noqa: BLE001 - any import failure is reported, not raised
        failure = f"{exc.__class__.__name__}: {exc}"

    if os.environ.get("KERAS_BACKEND", "").strip():
        source = "由 KERAS_BACKEND 选定 / set by KERAS_BACKEND"
    else:
        source = "默认或 keras.json / the default or keras.json"
    gpu_ran = ""
    if info is not None:
        print(_row("后端 / Backend", f"{info.name} {info.version} ({source})"))
        print(_row("设备 / Devices", ", ".join(info.devices)))
        if info.gpu_usable:
            try:
                gpu_ran = compute_check()
            except Exception as exc:  # noqa: BLE001 - a broken GPU stack is what we look for
                failure = f"{exc.__class__.__name__}: {exc}"
    else:
        print(_row("后端 / Backend", f"{backend} — 无法启动 / cannot start ({failure})"))

    usable = bool(gpu_ran)
    if usable:
        gpu_text = f"是 / yes — 矩阵乘法在 {gpu_ran} 上算对了 / a matrix product ran on {gpu_ran}"
    elif info is not None and info.gpu_usable:
        gpu_text = f"否 / no — 看得到 GPU，但计算失败 / GPU seen, but computing failed: {failure}"
    elif info is None:
        gpu_text = "否 / no — 后端没有启动 / the backend did not start"
    else:
        gpu_text = "否 / no — 只用 CPU / CPU only"
    print(_row("GPU 可用 / GPU usable", gpu_text))

    driver = driver_status()
    name = info.name if info is not None else backend
    installed = installed_cuda(name)
    nvswitches = count_nvswitches()
    if driver.working:
        driver_text = f"{driver.version} · {', '.join(driver.gpus)}"
        needed = needed_driver(name, driver.version, installed)
        major = driver_major(driver.version)
        if major is not None and major < needed:
            driver_text += f" — 太旧 / too old: {name} 需要 / needs ≥ {needed}"
    elif driver.found:
        driver_text = f"nvidia-smi 运行失败 / fails: {driver.problem}"
    else:
        driver_text = "未找到 nvidia-smi / nvidia-smi not found"
    print(_row("NVIDIA 驱动 / driver", driver_text))
    if nvswitches:
        print(_row("NVSwitch", f"{nvswitches} (需要 / needs nvidia-fabricmanager)"))

    mnist = mnist_status()
    mnist_text = ("可用 / available — " if mnist.available else "不可用 / not available — ") + (
        mnist.detail
    )
    print(_row("MNIST", mnist_text))
    sys.stdout.flush()

    if info is None:
        # keras comes with the project; TensorFlow's CPU build (cpu), jax and torch are extras.
        install = 'pip install -e ".[cpu]"'
        if backend in ("jax", "torch"):
            install = f'pip install -e ".[{backend}]"'
        others = " / ".join(
            f"KERAS_BACKEND={name}" for name in ("tensorflow", "jax", "torch") if name != backend
        )
        raise TutorialError(
            f"Keras 的后端 {backend} 无法启动（{failure}）。在本项目目录里运行 `{install}` 安装它，"
            f"或用 {others} 换一个已安装的后端。",
            f"the Keras backend {backend} cannot start ({failure}). Install it with `{install}` "
            f"in the project folder, or pick an installed one with {others}.",
        )
    if args.require_gpu and not usable:
        seen_failed = failure if info.gpu_usable else ""
        zh, en = gpu_advice(info.name, info.version, driver, seen_failed, nvswitches, installed)
        raise TutorialError(f"没有可用的 GPU。{zh}", f"no usable GPU. {en[0].upper()}{en[1:]}")
    return 0


if __name__ == "__main__":
    install_handler()
    sys.exit(main())
