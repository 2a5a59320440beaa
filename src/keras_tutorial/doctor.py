"""Check that this machine can run the tutorial: ``python -m keras_tutorial.doctor``.

Prints the OS, Python, Keras, the backend and its version, the devices the backend sees, whether a
GPU is usable, the NVIDIA driver version from ``nvidia-smi`` and whether MNIST is already on disk.
Exits 1 with advice when Keras cannot start, and, with ``--require-gpu``, when no GPU is usable
(found and able to compute).
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

from keras_tutorial import data
from keras_tutorial.errors import TutorialError, install_handler
from keras_tutorial.settings import BackendInfo, Parser, backend_info

# Keep these in step with setup_gpu_ubuntu.sh (a test compares them): one CUDA 12 line for all three
# backends, because TensorFlow's pip wheels are built for CUDA 12.
TORCH_CUDA = "cu126"
JAX_CUDA = "cuda12"
TORCH_INDEX = "https://download.pytorch.org/whl/"

# Under WSL the Windows driver provides nvidia-smi here, and this folder is not always on PATH.
WSL_NVIDIA_SMI = Path("/usr/lib/wsl/lib/nvidia-smi")


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
    """The nvidia-smi program on PATH, or the one the Windows driver puts into WSL."""
    found = shutil.which("nvidia-smi")
    if found:
        return found
    return str(WSL_NVIDIA_SMI) if WSL_NVIDIA_SMI.is_file() else None


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
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
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
    env = os.environ.get(data.PATH_ENV, "").strip()
    if env:
        path, origin = Path(env).expanduser(), data.PATH_ENV
        if not path.is_file():
            return Mnist(False, f"{path} 不存在 / does not exist ({origin})")
    else:
        path, origin = data.cache_path(), "Keras cache"
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
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    try:
        config = json.loads((Path(home) / "keras.json").read_text())
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


def gpu_advice(backend: str, version: str, driver: Driver, failure: str = "") -> tuple[str, str]:
    """What to do when no GPU is usable, in Chinese and English.

    ``failure`` is the error of the test computation when the backend saw a GPU but could not
    use it.
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
            "(Secure Boot) 时，重启时要在蓝色的 MOK 界面登记密钥。",
            f"nvidia-smi fails ({driver.problem}). If the driver was just installed, reboot; with "
            "Secure Boot on, enroll the key in the blue MOK screen during that reboot.",
        )
    if failure:
        return (
            f"{backend} 看得到 GPU，但在上面计算失败（{failure}）。常见原因是驱动太旧：CUDA 12 "
            f"需要 525 或更新的驱动，当前是 {driver.version}。更新驱动后重启再试。",
            f"{backend} sees a GPU but computing on it failed ({failure}). A common cause is an "
            f"old driver: CUDA 12 needs 525 or newer, this one is {driver.version}. Update the "
            "driver, reboot and try again.",
        )
    pinned = _base_version(version)
    install = {
        "tensorflow": f'pip install "tensorflow[and-cuda]=={pinned}"',
        "jax": f'pip install "jax[{JAX_CUDA}]=={pinned}"',
        "torch": f"pip install torch=={pinned} --index-url {TORCH_INDEX}{TORCH_CUDA}",
    }.get(backend, f"bash setup_gpu_ubuntu.sh --backend {backend}")
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
    if driver.working:
        driver_text = f"{driver.version} · {', '.join(driver.gpus)}"
    elif driver.found:
        driver_text = f"nvidia-smi 运行失败 / fails: {driver.problem}"
    else:
        driver_text = "未找到 nvidia-smi / nvidia-smi not found"
    print(_row("NVIDIA 驱动 / driver", driver_text))

    mnist = mnist_status()
    mnist_text = ("可用 / available — " if mnist.available else "不可用 / not available — ") + (
        mnist.detail
    )
    print(_row("MNIST", mnist_text))
    sys.stdout.flush()

    if info is None:
        # tensorflow and keras come with the project itself; jax and torch are its extras.
        install = "pip install -e ."
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
        zh, en = gpu_advice(info.name, info.version, driver, seen_failed)
        raise TutorialError(f"没有可用的 GPU。{zh}", f"no usable GPU. {en[0].upper()}{en[1:]}")
    return 0


if __name__ == "__main__":
    install_handler()
    sys.exit(main())
