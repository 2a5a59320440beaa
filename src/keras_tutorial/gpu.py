"""The NVIDIA GPU facts, in one place: what ``nvidia-smi`` says and which GPU build fits.

``query()`` is the one call of ``nvidia-smi`` (the doctor, the benchmarks, ``make gpu`` and
setup_gpu_ubuntu.sh all come here), with one time limit. ``choose()`` reads the one table,
``gpu_builds.tsv`` beside this file, to pick each backend's CUDA build for the GPU's compute
capability and the driver. Standard library only: the set-up script and the Makefile run this file
directly (``python src/keras_tutorial/gpu.py choose --backend torch``), before the project is
installed.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

TABLE = Path(__file__).with_name("gpu_builds.tsv")
BACKENDS = ("tensorflow", "jax", "torch")
# Under WSL the Windows driver puts nvidia-smi in this folder, which is not always on PATH;
# WSL_LIB_DIR overrides it (tests, unusual set-ups), as for setup_gpu_ubuntu.sh.
WSL_LIB_DIR = "/usr/lib/wsl/lib"
# Seconds nvidia-smi may take. A driver that hangs leaves nvidia-smi stuck in the kernel (state D),
# where even SIGKILL takes effect only when the kernel lets go: it is killed and left behind, never
# waited for. NVIDIA_SMI_TIMEOUT overrides it.
TIMEOUT = 20.0
QUERY = ["--query-gpu=name,compute_cap,driver_version", "--format=csv,noheader"]


@dataclass(frozen=True)
class Smi:
    """What ``nvidia-smi`` said: ``found`` is False when it is not installed at all."""

    found: bool
    working: bool
    version: str = ""
    gpus: tuple[str, ...] = ()
    caps: tuple[str, ...] = ()
    problem: str = ""
    program: str = ""

    @property
    def cap(self) -> str:
        """The lowest compute capability of the machine's GPUs: every GPU must run the build."""
        return min(self.caps, key=_cap_key, default="")


def find_nvidia_smi() -> str | None:
    """nvidia-smi on PATH, or the one the Windows driver puts into WSL."""
    found = shutil.which("nvidia-smi")
    if found:
        return found
    wsl = Path(os.environ.get("WSL_LIB_DIR") or WSL_LIB_DIR) / "nvidia-smi"
    return str(wsl) if wsl.is_file() and os.access(wsl, os.X_OK) else None


def parse(text: str) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """Driver version, GPU names and compute capabilities from ``QUERY``'s CSV lines.

    A GPU name may hold commas, so the two last fields are split off from the right.
    """
    names, caps, version = [], [], ""
    for line in text.splitlines():
        parts = line.rsplit(",", 2)
        if len(parts) != 3 or not _is_version(parts[2].strip()):
            continue
        names.append(parts[0].strip())
        caps.append(parts[1].strip())
        version = version or parts[2].strip()
    return version, tuple(names), tuple(caps)


def _is_version(text: str) -> bool:
    return bool(text) and all(part.isdigit() for part in text.split("."))


def _timeout() -> float:
    try:
        return float(os.environ.get("NVIDIA_SMI_TIMEOUT", TIMEOUT))
    except ValueError:
        return TIMEOUT


def query(timeout: float | None = None) -> Smi:
    """Ask nvidia-smi for the GPUs and the driver; never raises, never hangs past ``timeout``."""
    program = find_nvidia_smi()
    if program is None:
        return Smi(found=False, working=False)
    limit = _timeout() if timeout is None else timeout
    # Output goes to a file, not a pipe: reading a pipe would wait for a stuck process to end.
    with tempfile.TemporaryFile() as out:
        try:
            process = subprocess.Popen(
                [program, *QUERY], stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
        except OSError as exc:
            return Smi(found=True, working=False, problem=str(exc), program=program)
        try:
            code = process.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            process.kill()  # not waited for: a process stuck in the kernel may never end
            stuck = f"no answer within {limit:g} s: the driver or the GPU is stuck"
            return Smi(found=True, working=False, problem=stuck, program=program)
        out.seek(0)
        text = out.read().decode(errors="replace")
    version, gpus, caps = parse(text)
    if code != 0 or not version:
        said = text.strip().splitlines()
        problem = said[0] if said else f"exit code {code}"
        return Smi(found=True, working=False, problem=problem, program=program)
    return Smi(True, True, version, gpus, caps, program=program)


# --- the table ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One line of ``gpu_builds.tsv``."""

    kind: str
    backend: str
    build: str
    min_cap: str
    max_cap: str
    min_driver: int
    machines: tuple[str, ...]
    lock: str

    def holds(self, cap: str) -> bool:
        above = _cap_key(cap) >= _cap_key(self.min_cap)
        return above and (self.max_cap == "-" or _cap_key(cap) <= _cap_key(self.max_cap))


def _cap_key(cap: str) -> tuple[int, ...]:
    return tuple(int(p) for p in cap.split(".") if p.isdigit())


def table(path: Path = TABLE) -> list[Row]:
    """The rows of the table, in its order (build rows best first)."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, backend, build, low, high, driver, machines, lock = line.split("\t")
        rows.append(
            Row(kind, backend, build, low, high, int(driver), tuple(machines.split(",")), lock)
        )
    return rows


def driver_major(version: str) -> int | None:
    """The driver's branch, e.g. 580 for '580.82.07'; None when it is not a version."""
    head = version.strip().split(".", 1)[0]
    return int(head) if head.isdigit() else None


@dataclass(frozen=True)
class Choice:
    """The build to install (``build``, ``lock``), or why none (``zh``, ``en``) and a remedy.

    ``needs_driver`` is the driver branch that would give a build (0: no driver would);
    ``backends`` the backends that have a build for this GPU and machine.
    """

    backend: str
    build: str = ""
    lock: str = ""
    zh: str = ""
    en: str = ""
    needs_driver: int = 0
    backends: tuple[str, ...] = ()

    @property
    def cuda(self) -> int:
        """The CUDA major version of the build: cu130 and cuda13 are 13."""
        digits = "".join(c for c in self.build if c.isdigit())
        return int(digits[:2]) if digits else 0


def choose(backend: str, cap: str, driver: str, machine: str | None = None) -> Choice:
    """The GPU build of ``backend`` for compute capability ``cap`` on driver ``driver``."""
    machine = machine or platform.machine()
    rows = table()
    major = driver_major(driver) or 0
    gpu_needs = max((r.min_driver for r in rows if r.kind == "gpu" and r.holds(cap)), default=0)
    fitting = [
        r for r in rows if r.kind == "build" and r.backend == backend and machine in r.machines
    ]
    usable = [r for r in fitting if r.holds(cap)]
    for row in usable:
        if major >= max(row.min_driver, gpu_needs):
            return Choice(backend, row.build, row.lock)
    others = tuple(
        b
        for b in BACKENDS
        if b != backend
        and any(
            r.kind == "build" and r.backend == b and machine in r.machines and r.holds(cap)
            for r in rows
        )
    )
    names = "、".join(others) or "无 / none"
    if not fitting:
        return Choice(
            backend,
            zh=f"{backend} 在 {machine} 上没有 GPU 版（PyPI 上只有 CPU 版）。"
            f"在这里用 GPU 的后端：{names}。",
            en=f"{backend} has no GPU build on {machine} (its PyPI build is CPU-only). Backends "
            f"that use the GPU here: {', '.join(others) or 'none'}.",
            backends=others,
        )
    if not usable:
        return Choice(
            backend,
            zh=f"计算能力(compute capability) {cap} 的 GPU 太旧，{backend} 的 GPU 版都不支持它。"
            f"能用这块 GPU 的后端：{names}；或者不用 GPU。",
            en=f"a GPU of compute capability {cap} is too old for every GPU build of {backend}. "
            f"Backends that can use it: {', '.join(others) or 'none'}; or go without the GPU.",
            backends=others,
        )
    needs = min(max(r.min_driver, gpu_needs) for r in usable)
    return Choice(
        backend,
        zh=f"驱动 {driver} 太旧：计算能力 {cap} 的 GPU 上，{backend} 的 GPU 版需要 {needs} "
        "或更新的驱动。",
        en=f"driver {driver} is too old: on a GPU of compute capability {cap}, the GPU build of "
        f"{backend} needs driver {needs} or newer.",
        needs_driver=needs,
        backends=others,
    )


# --- switching builds (make gpu, make cpu) ------------------------------------------------------

# The checkout's locks. Not keras_tutorial.project: make and setup_gpu_ubuntu.sh run this file as
# a script of the checkout, with a Python that may not have the package (stdlib only).
REQUIREMENTS = Path(__file__).resolve().parents[2] / "requirements"
# The CPU locks a GPU build is installed over, and the CPU package each GPU build replaces
# (TensorFlow's two builds own the same folder: one must go before the other comes).
BASE_LOCKS = ("test.txt", "torch.txt")
REPLACES = {"gpu-tensorflow.txt": ("tensorflow-cpu",)}
# What PyTorch's CUDA build pulls from its index without a lock of its own.
TORCH_DEPENDENCIES = ("nvidia-", "triton", "cuda-")


def _canonical(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def lock_names(path: Path) -> set[str]:
    """The packages a lock installs on this machine (lines whose marker does not apply skipped)."""
    try:
        from packaging.markers import Marker
    except ImportError:  # a bare venv: pip's copy
        from pip._vendor.packaging.markers import Marker
    names = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line[0] in "# -":
            continue
        requirement, _, marker = line.rstrip(" \\").partition(";")
        if marker.strip() and not Marker(marker.strip()).evaluate():
            continue
        names.add(_canonical(requirement.split("==")[0].split("[")[0].strip()))
    return names


def leftovers(old: str, new: str = "", installed: set[str] | None = None) -> list[str]:
    """Installed packages to uninstall when going from GPU lock ``old`` to ``new`` ("" = CPU).

    ``installed``: the installed package names (default: this interpreter's).
    """
    import importlib.metadata

    if installed is None:
        installed = {_canonical(d.metadata["Name"]) for d in importlib.metadata.distributions()}
    keep = set().union(*(lock_names(REQUIREMENTS / n) for n in BASE_LOCKS))
    going = lock_names(REQUIREMENTS / old) if old else set()
    if old.startswith("gpu-torch-"):
        going |= {n for n in installed if n.startswith(TORCH_DEPENDENCIES)}
    if new:
        keep |= lock_names(REQUIREMENTS / new)
    keep -= set(REPLACES.get(new, ()))
    going |= set(REPLACES.get(new, ()))
    return sorted((going - keep) & installed)


def main(argv: list[str] | None = None) -> int:
    """``choose``: print the build and its lock (tab-separated), or why none on stderr, exit 3.

    ``query``: print the driver version, the lowest compute capability and the GPU names, one a
    line; exit 1 when nvidia-smi is missing or fails, 2 when it hangs.
    """
    parser = argparse.ArgumentParser(prog="gpu.py", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    pick = sub.add_parser("choose", help="the GPU build for this machine (or the one given)")
    pick.add_argument("--backend", choices=BACKENDS, required=True)
    pick.add_argument("--cap", help="compute capability, e.g. 8.6 (default: nvidia-smi's)")
    pick.add_argument("--driver", help="driver version, e.g. 580.82.07 (default: nvidia-smi's)")
    pick.add_argument("--machine", help="CPU architecture (default: this machine's)")
    sub.add_parser("query", help="what nvidia-smi says")
    left = sub.add_parser("leftovers", help="packages to uninstall when switching builds")
    left.add_argument("old", help="the GPU lock installed now ('' for none)")
    left.add_argument("new", nargs="?", default="", help="the GPU lock to install ('' for CPU)")
    args = parser.parse_args(argv)
    if args.command == "leftovers":
        print(*leftovers(args.old, args.new), sep="\n")
        return 0
    smi = None
    if args.command == "query" or not (args.cap and args.driver):
        smi = query()
        if not smi.working:
            why = smi.problem or "nvidia-smi not found"
            print(
                f"错误：没有可用的 NVIDIA 驱动（{why}）。"
                "Ubuntu 上先运行 bash setup_gpu_ubuntu.sh。\n"
                f"Error: no working NVIDIA driver ({why}). "
                "On Ubuntu run bash setup_gpu_ubuntu.sh first.",
                file=sys.stderr,
            )
            return 2 if "no answer within" in smi.problem else 1
    if args.command == "query":
        print(smi.version, smi.cap, *smi.gpus, sep="\n")
        return 0
    cap = args.cap or smi.cap
    driver = args.driver or smi.version
    choice = choose(args.backend, cap, driver, args.machine)
    if not choice.build:
        print(f"错误：{choice.zh}\nError: {choice.en}", file=sys.stderr)
        return 3
    print(f"{choice.build}\t{choice.lock}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
