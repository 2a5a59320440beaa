"""The machine a measurement ran on: CPU, cores, vector instructions, GPU and load.

One home for what `make bench`, ``tools.opbench`` and ``benchmarks.install_time`` say about the
machine, and for the name of their result files. Standard library only at import:
``install_time`` runs before any virtual environment exists. The GPU comes from
``keras_tutorial.gpu.query()``, the project's one caller of ``nvidia-smi``.
"""

from __future__ import annotations

import os
import platform
import re
from dataclasses import dataclass
from pathlib import Path

# /proc/cpuinfo flags for which TensorFlow turns its oneDNN kernels on by default on Linux.
ONEDNN_FEATURES = {
    "avx512_vnni": "VNNI",
    "avx512_bf16": "BF16",
    "avx_vnni": "AVX-VNNI",
    "amx_tile": "AMX",
}


@dataclass
class Cpu:
    """What /proc/cpuinfo says of the first core: the name alone does not tell two EPYCs apart."""

    model: str
    family: str = ""  # CPU family and model numbers, e.g. "family 26, model 2"
    simd: str = ""  # the widest vector instructions: "AVX-512" or "AVX2", or ""
    extras: tuple[str, ...] = ()  # the features that decide TensorFlow's oneDNN default

    def onednn(self) -> str:
        """Whether TensorFlow uses its oneDNN kernels (the rule of tensorflow/core/util/port.cc)."""
        forced = os.environ.get("TF_ENABLE_ONEDNN_OPTS")
        if forced is not None:
            return f"set by TF_ENABLE_ONEDNN_OPTS={forced}"
        if self.extras:
            return f"on (TensorFlow's default on Linux for a CPU with {', '.join(self.extras)})"
        return "off (TensorFlow's default on Linux without AVX-512 VNNI/BF16, AVX-VNNI or AMX)"

    def describe(self) -> str:
        parts = [self.model]
        if self.family:
            parts.append(f"({self.family})")
        if self.simd:
            extra = f" with {', '.join(self.extras)}" if self.extras else ""
            parts.append(f"— {self.simd}{extra}")
        return " ".join(parts)


def parse_cpuinfo(text: str) -> Cpu | None:
    """The first processor block of /proc/cpuinfo, or None if it names no model."""
    fields: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            if fields:
                break
            continue
        key, _, value = line.partition(":")
        fields.setdefault(key.strip(), value.strip())
    if "model name" not in fields:
        return None
    flags = set(fields.get("flags", "").split())
    family = ""
    if "cpu family" in fields and "model" in fields:
        family = f"family {fields['cpu family']}, model {fields['model']}"
    simd = "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else ""
    extras = tuple(name for flag, name in ONEDNN_FEATURES.items() if flag in flags)
    return Cpu(fields["model name"], family, simd, extras)


def cpu_info() -> Cpu:
    """This machine's CPU, from /proc/cpuinfo, or what ``platform`` knows where there is none."""
    try:
        found = parse_cpuinfo(Path("/proc/cpuinfo").read_text())
    except OSError:
        found = None
    return found or Cpu(platform.processor() or platform.machine() or "unknown CPU")


def gpu_name() -> str | None:
    """The first NVIDIA GPU's name, or None (no nvidia-smi, or it gave no answer in time)."""
    from keras_tutorial.gpu import query

    smi = query()
    return smi.gpus[0] if smi.working and smi.gpus else None


def load_average() -> float | None:
    """The 1-minute load average, or None where the system keeps none (Windows)."""
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else None


def slug(gpu: str | None, cpu: Cpu | None = None) -> str:
    """The result files' name: the GPU, or the CPU's model, cores and vector instructions.

    Two machines of the same "kind" can have different CPUs (an AVX2 and an AVX-512 EPYC
    differ by 3× here), so their results must not overwrite each other.
    """
    if gpu:
        name = gpu
    else:
        cpu = cpu or cpu_info()
        name = f"{cpu.model} {os.cpu_count()} cores {cpu.simd}"
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def describe(cpu: Cpu | None = None, gpu: str | None = None, load: float | None = None) -> str:
    """One line: CPU, logical cores, GPU (looked up when not given) and load average."""
    cpu = cpu or cpu_info()
    gpu = gpu or gpu_name()
    load = load_average() if load is None else load
    parts = [f"{cpu.describe()}, {os.cpu_count()} logical cores", f"GPU {gpu or 'none'}"]
    parts.append("load average unknown" if load is None else f"load average {load:.2f}")
    return "; ".join(parts)
