"""Check that this machine can run the tutorial: ``python -m keras_tutorial.doctor``.

Prints the OS, Python, Keras, the backend and its version, the devices the backend sees, whether a
GPU is usable, the NVIDIA driver and the GPU (``keras_tutorial.gpu``), the GPU build that fits them
(the one table, ``gpu_builds.tsv``) and whether MNIST is already on disk. Exits 1 with advice when
Keras cannot start, and, with ``--require-gpu``, when no GPU is usable (found and able to compute):
no build for this GPU and driver, a CPU build or one that does not fit, a failing computation, or
NVSwitch without nvidia-fabricmanager. Its advice is a command that works where it runs: ``make
gpu`` for the environment this interpreter belongs to.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import json
import os
import platform
import shlex
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from keras_tutorial import data, gpu, project, quick_exit, quiet_tensorflow
from keras_tutorial.errors import TutorialError, install_handler
from keras_tutorial.settings import BackendInfo, Parser, backend_info

# NVSwitch chips (HGX boards) show up as PCI bridges of NVIDIA's vendor id.
PCI_DEVICES = Path("/sys/bus/pci/devices")
NVIDIA_VENDOR = "0x10de"
PCI_BRIDGE_OTHER = "0x0680"

#: What nvidia-smi said (keras_tutorial.gpu is the one place that asks it).
Driver = gpu.Smi
driver_status = gpu.query


def installed_build(backend: str) -> str | None:
    """The CUDA build of the backend installed here, named as in the table (cu130, cuda13)."""
    if backend == "torch":
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            local = importlib.metadata.version("torch").partition("+")[2]
            return local if local.startswith("cu") else None
        return None
    if backend == "jax":
        for row in gpu.table():
            with contextlib.suppress(importlib.metadata.PackageNotFoundError):
                if row.backend == "jax":
                    importlib.metadata.version(f"jax-{row.build}-plugin")
                    return row.build
        return None
    if backend == "tensorflow":
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            importlib.metadata.version("tensorflow")
            return next(r.build for r in gpu.table() if r.backend == "tensorflow")
    return None


def switch_command(backend: str, prefix: str | None = None) -> str:
    """``make gpu`` for the environment this interpreter belongs to, from anywhere."""
    root = project.find(__file__).root
    prefix = prefix or sys.prefix
    command = f"make -C {shlex.quote(str(root))} gpu BACKEND={backend}"
    if Path(prefix).resolve() != (root / ".venv").resolve():
        command += f" VENV={shlex.quote(prefix)}"
    return command


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
class Mnist:
    """Whether MNIST is on disk, where, and why not."""

    available: bool
    detail: str


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
    driver: Driver,
    failure: str = "",
    nvswitches: int = 0,
    installed: str | None = None,
    command: str | None = None,
) -> tuple[str, str]:
    """What to do when no GPU is usable, in Chinese and English.

    ``failure`` is the error of the test computation when the backend saw a GPU but could not
    use it; ``nvswitches`` the number of NVSwitch chips (``count_nvswitches``); ``installed`` the
    backend's installed CUDA build (``installed_build``), None for a CPU build; ``command`` the
    command that installs the fitting build (default ``switch_command``).
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
    choice = gpu.choose(backend, driver.cap, driver.version)
    if not choice.build:
        if choice.needs_driver:
            return (
                f"{choice.zh}更新驱动（Ubuntu：ubuntu-drivers list 看有哪些版本；WSL：在 Windows "
                "上更新），重启后再试。",
                f"{choice.en} Update the driver (Ubuntu: ubuntu-drivers list shows the versions; "
                "WSL: update it on Windows), reboot and try again.",
            )
        return choice.zh, choice.en
    command = command or switch_command(backend)
    major = gpu.driver_major(driver.version)
    if nvswitches:
        return (
            f"这台机器有 {nvswitches} 个 NVSwitch（HGX 这类多卡服务器），CUDA 要有 "
            "nvidia-fabricmanager 服务才能用 GPU。安装与驱动同分支的 "
            f"nvidia-fabricmanager-{major}，运行 sudo systemctl enable --now "
            "nvidia-fabricmanager，再试。如果这个服务已经在运行，装的多半是后端的 CPU 版："
            f"运行 `{command}`。",
            f"this machine has {nvswitches} NVSwitch chips (an HGX-style server), where CUDA "
            "needs the nvidia-fabricmanager service to use the GPUs. Install "
            f"nvidia-fabricmanager-{major}, the driver's branch, run sudo systemctl enable --now "
            "nvidia-fabricmanager, then try again. If that service runs already, the backend's "
            f"CPU build is probably installed: run `{command}`.",
        )
    if installed and installed != choice.build:
        return (
            f"装的是 {backend} 的 {installed} 版，它不适合这块 GPU（计算能力 {driver.cap}）和驱动 "
            f"{driver.version}；适合的是 {choice.build} 版。运行 `{command}` 换过去。",
            f"the {installed} build of {backend} is installed, which does not fit this GPU "
            f"(compute capability {driver.cap}) and driver {driver.version}; the {choice.build} "
            f"build does. Run `{command}` to switch.",
        )
    if failure:
        return (
            f"{backend} 看得到 GPU，但在上面计算失败（{failure}）。装的 {choice.build} 版适合这块 "
            f"GPU 和驱动 {driver.version}；请看上面的错误，重启后再试，不行就重新安装："
            f"`{command}`。",
            f"{backend} sees a GPU but computing on it failed ({failure}). The {choice.build} "
            f"build installed fits this GPU and driver {driver.version}; see the error above, "
            f"reboot and try again, or reinstall it: `{command}`.",
        )
    return (
        f"驱动 {driver.version} 正常，但 {backend} 看不到 GPU：装的多半是 CPU 版。运行 `{command}`"
        f"，装上适合这块 GPU 的 {choice.build} 版。",
        f"driver {driver.version} works, but {backend} sees no GPU: its CPU build is probably "
        f"installed. Run `{command}` to install the {choice.build} build, which fits this GPU.",
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
    quick_exit.install()

    print("Keras 教程环境体检 / Keras tutorial environment check")
    print(_row("操作系统 / OS", os_line()))
    print(_row("Python", f"{platform.python_version()} · {sys.executable}"))

    backend = configured_backend()
    print(_row("Keras", installed_version("keras")))
    info: BackendInfo | None = None
    failure = ""
    try:
        info = backend_info()
    except Exception as exc:
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
            except Exception as exc:
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
    installed = installed_build(name)
    nvswitches = count_nvswitches()
    if driver.working:
        driver_text = f"{driver.version} · {', '.join(driver.gpus)}"
        print(_row("NVIDIA 驱动 / driver", driver_text))
        choice = gpu.choose(name, driver.cap, driver.version)
        fits = f"{choice.build} (requirements/{choice.lock})" if choice.build else choice.en
        print(
            _row(
                "GPU 版 / GPU build",
                f"{name}: {fits} · 计算能力 / compute capability {driver.cap}",
            )
        )
        print(_row("已装 / installed", installed or "CPU"))
    elif driver.found:
        print(_row("NVIDIA 驱动 / driver", f"nvidia-smi 运行失败 / fails: {driver.problem}"))
    else:
        print(_row("NVIDIA 驱动 / driver", "未找到 nvidia-smi / nvidia-smi not found"))
    if nvswitches:
        print(_row("NVSwitch", f"{nvswitches} (需要 / needs nvidia-fabricmanager)"))

    mnist = mnist_status()
    mnist_text = ("可用 / available — " if mnist.available else "不可用 / not available — ") + (
        mnist.detail
    )
    print(_row("MNIST", mnist_text))
    sys.stdout.flush()

    if info is None:
        # keras comes with the project; TensorFlow's CPU build (cpu), jax and torch are extras,
        # installed by this interpreter's own pip (a bare `pip` may be another Python's).
        extra = backend if backend in ("jax", "torch") else "cpu"
        install = f'{shlex.quote(sys.executable)} -m pip install -e ".[{extra}]"'
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
        zh, en = gpu_advice(info.name, driver, seen_failed, nvswitches, installed)
        raise TutorialError(f"没有可用的 GPU。{zh}", f"no usable GPU. {en[0].upper()}{en[1:]}")
    return 0


if __name__ == "__main__":
    install_handler()
    sys.exit(main())
