"""The exact environment: requirements/*.txt against pyproject.toml and against what is installed,
and a quiet start of TensorFlow on a machine without an NVIDIA GPU."""

from __future__ import annotations

import importlib.metadata
import json
import platform as platform_module
import re
import subprocess
import sys
import tomllib
from dataclasses import dataclass

import pytest
from helpers import ROOT
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

LOCKS = ROOT / "requirements"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
# What each lock is compiled from (see `make lock`): pyproject.toml's dependencies plus extras.
LOCK_EXTRAS = {
    "run.txt": ["cpu"],
    "test.txt": ["cpu", "dev", "jax", "torch"],
    "conda.txt": ["cpu", "dev"],
}
# test.txt leaves PyTorch out: its CPU build comes from PyTorch's own index, via torch.txt.
SEPARATE = {"test.txt": {"torch": "torch.txt"}}
# The platforms the locks are for, as marker environments.
PLATFORMS = {
    "linux-x86_64": {"sys_platform": "linux", "platform_machine": "x86_64"},
    "linux-aarch64": {"sys_platform": "linux", "platform_machine": "aarch64"},
    "macos-arm64": {"sys_platform": "darwin", "platform_machine": "arm64"},
    "windows-amd64": {"sys_platform": "win32", "platform_machine": "AMD64"},
}
PYTHONS = ("3.11", "3.12", "3.13")
# Part of every virtual environment rather than of the project's dependencies.
VENV_TOOLS = {"pip"}


@dataclass(frozen=True)
class Entry:
    name: str
    version: str
    marker: Marker | None
    hashes: int


def read_lock(name: str) -> list[Entry]:
    """The entries of requirements/NAME: name==version ; marker, with their --hash lines."""
    entries: list[Entry] = []
    head = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^ ;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")
    for line in (LOCKS / name).read_text().splitlines():
        match = head.match(line)
        if match:
            marker = Marker(match.group(3)) if match.group(3) else None
            entries.append(Entry(canonicalize_name(match.group(1)), match.group(2), marker, 0))
        elif line.strip().startswith("--hash=sha256:") and entries:
            last = entries[-1]
            entries[-1] = Entry(last.name, last.version, last.marker, last.hashes + 1)
        elif line and not line.startswith((" ", "#")):
            raise AssertionError(f"{name}: a line that is not a pinned entry: {line!r}")
    return entries


def environment(platform: str, python: str) -> dict[str, str]:
    return {**PLATFORMS[platform], "python_version": python, "python_full_version": python + ".0"}


def applies(marker: Marker | None, env: dict[str, str], extras: list[str] | None = None) -> bool:
    if marker is None:
        return True
    return any(marker.evaluate({**env, "extra": extra}) for extra in extras or [""])


def in_force(entries: list[Entry], env: dict[str, str]) -> dict[str, Entry]:
    """The entries whose marker holds in ENV, by name; a name twice there is an error."""
    found: dict[str, Entry] = {}
    for entry in entries:
        if applies(entry.marker, env):
            assert entry.name not in found, f"{entry.name} locked twice for {env}"
            found[entry.name] = entry
    return found


def direct_requirements(extras: list[str]) -> list[tuple[Requirement, list[str]]]:
    reqs = [(Requirement(r), [""]) for r in PYPROJECT["dependencies"]]
    for extra in extras:
        reqs += [(Requirement(r), [extra]) for r in PYPROJECT["optional-dependencies"][extra]]
    return reqs


@pytest.mark.parametrize("lock", sorted(LOCK_EXTRAS))
def test_lock_has_pyprojects_direct_pins_on_every_platform(lock: str) -> None:
    entries = read_lock(lock)
    separate = SEPARATE.get(lock, {})
    checked = 0
    for platform in PLATFORMS:
        for python in PYTHONS:
            env = environment(platform, python)
            locked = in_force(entries, env)
            for req, extras in direct_requirements(LOCK_EXTRAS[lock]):
                if not applies(req.marker, env, extras):
                    continue
                name = canonicalize_name(req.name)
                where = lock
                if name in separate:
                    where = separate[name]
                    assert name not in locked, f"{name} belongs in {where}, not {lock}"
                    entry = in_force(read_lock(where), env).get(name)
                else:
                    entry = locked.get(name)
                assert entry is not None, f"{where} has no {name} for {platform}, Python {python}"
                assert req.specifier.contains(entry.version, prereleases=True), (
                    f"{where} locks {name}=={entry.version}; pyproject.toml says {req}"
                )
                checked += 1
    assert checked > 100  # every direct pin on every platform, not a vacuous pass


@pytest.mark.parametrize("lock", ["run.txt", "test.txt"])
def test_locks_hold_what_the_project_is_built_with(lock: str) -> None:
    # make installs the project with --no-build-isolation: its build requirements come from the
    # lock (setuptools arrives as a dependency of TensorFlow), on every platform.
    build = tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]["requires"]
    for platform in PLATFORMS:
        locked = in_force(read_lock(lock), environment(platform, "3.11"))
        for req in map(Requirement, build):
            entry = locked.get(canonicalize_name(req.name))
            assert entry is not None and req.specifier.contains(entry.version), (platform, req)


def test_test_lock_keeps_the_run_locks_versions() -> None:
    # `make run` and then `make test` in the same .venv must not change a version.
    test = read_lock("test.txt")
    for entry in read_lock("run.txt"):
        same = [e for e in test if e.name == entry.name and e.marker == entry.marker]
        assert [e.version for e in same] == [entry.version], entry


@pytest.mark.parametrize("lock", ["run.txt", "test.txt"])
def test_locks_that_make_installs_carry_hashes(lock: str) -> None:
    missing = [e.name for e in read_lock(lock) if e.hashes == 0]
    assert not missing, f"entries of {lock} without --hash: {missing}"


def test_tests_get_the_cpu_build_of_pytorch_on_linux() -> None:
    for platform in ("linux-x86_64", "linux-aarch64"):
        env = environment(platform, "3.11")
        assert in_force(read_lock("torch.txt"), env)["torch"].version.endswith("+cpu")
        names = in_force(read_lock("test.txt"), env)
        cuda = sorted(n for n in names if n.startswith(("nvidia-", "triton", "cuda-")))
        assert not cuda, f"CUDA packages in the test lock for {platform}: {cuda}"


def test_tensorflow_builds_are_never_locked_together() -> None:
    for lock in LOCK_EXTRAS:
        for platform in PLATFORMS:
            locked = in_force(read_lock(lock), environment(platform, "3.12"))
            assert not {"tensorflow", "tensorflow-cpu"} <= set(locked), (lock, platform)
    on_linux = in_force(read_lock("run.txt"), environment("linux-x86_64", "3.11"))
    assert "tensorflow-cpu" in on_linux and "tensorflow" not in on_linux


def test_locks_name_no_local_index() -> None:
    # The locks are for every learner: no file:// index, no path of the machine that wrote them.
    for path in LOCKS.glob("*.txt"):
        text = path.read_text()
        assert "file:" not in text and "/opt/" not in text and "--find-links" not in text, path


def installed() -> dict[str, str]:
    dists = importlib.metadata.distributions()
    return {canonicalize_name(d.metadata["Name"]): d.version for d in dists}


def test_installed_environment_is_exactly_the_lock() -> None:
    """What `make test` installed: every package in the lock at its version, nothing else."""
    here = {
        "sys_platform": sys.platform,
        "platform_machine": platform_module.machine(),
        "python_version": f"{sys.version_info.major}.{sys.version_info.minor}",
        "python_full_version": ".".join(map(str, sys.version_info[:3])),
    }
    locked = {
        **in_force(read_lock("test.txt"), here),
        **in_force(read_lock("torch.txt"), here),
    }
    have = installed()
    assert not {"tensorflow", "tensorflow-cpu"} <= set(have), "two TensorFlow builds installed"
    if "tensorflow-cpu" in locked and "tensorflow" in have:
        # The GPU build in place of the CPU one (setup_gpu_ubuntu.sh, the doctor's advice).
        locked["tensorflow"] = locked.pop("tensorflow-cpu")
    project = canonicalize_name(PYPROJECT["name"])
    assert have.pop(project) == PYPROJECT["version"]
    extra = {n: v for n, v in have.items() if n not in locked and n not in VENV_TOOLS}
    assert not extra, f"installed but not in the lock: {extra}"
    wrong = {n: (v, locked[n].version) for n, v in have.items() if n in locked}
    wrong = {n: pair for n, pair in wrong.items() if Version(pair[0]) != Version(pair[1])}
    assert not wrong, f"installed version, locked version: {wrong}"
    missing = sorted(set(locked) - set(have))
    assert not missing, f"locked but not installed: {missing}"


def test_pip_install_e_adds_no_tensorflow_build() -> None:
    # After the GPU route replaced tensorflow-cpu, `pip install -e .` must not bring it back (nor
    # add the GPU build beside the CPU one): pip, asked what it would install, names nothing new.
    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--no-index", "--quiet"]
        + ["--no-build-isolation", "--report", "-", "-e", str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    names = {canonicalize_name(item["metadata"]["name"]) for item in report["install"]}
    assert names == {canonicalize_name(PYPROJECT["name"])}, names
