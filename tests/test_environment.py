"""The exact environment: requirements/*.txt against pyproject.toml and against what is installed,
and what make installs: which lock for which command, always with --require-hashes."""

from __future__ import annotations

import ast
import importlib.metadata
import json
import os
import platform as platform_module
import re
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

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
    "run.txt": ["cpu", "installer"],
    "jupyter.txt": ["cpu", "installer", "jupyter"],
    "test.txt": ["cpu", "installer", "jupyter", "dev", "jax", "torch", "site"],
    # make site: the website's generator, no TensorFlow; test.txt holds it (the suite builds it).
    "site.txt": ["installer", "site"],
    "conda.txt": ["cpu", "jupyter", "dev"],
    # make gpu: a backend's GPU build (requirements/gpu-*.in) on top of the locks above, at
    # test.txt's versions (tests/test_gpu.py checks their hashes and versions).
    "gpu-tensorflow.txt": ["tensorflow"],
    "gpu-jax-cuda12.txt": ["jax"],
    "gpu-jax-cuda13.txt": ["jax"],
}
# The locks make installs with --require-hashes, each holding the one before it: make run, then
# make lab / make notebooks, then make test.
HASHED = ["run.txt", "jupyter.txt", "test.txt"]
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


def read_lock(name: str, text: str | None = None) -> list[Entry]:
    """The entries of requirements/NAME (or TEXT): name==version ; marker, with their hashes."""
    entries: list[Entry] = []
    head = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^ ;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")
    for line in (text if text is not None else (LOCKS / name).read_text()).splitlines():
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
    # Every direct pin on every platform (at least 4 in every lock), not a vacuous pass.
    assert checked >= 4 * len(PLATFORMS) * len(PYTHONS)


# Locks compiled from a requirements/*.in file rather than from pyproject.toml's extras, each with
# a test of its own (PyTorch's CPU build: test_tests_get_the_cpu_build_of_pytorch_on_linux).
FROM_IN_FILES = {"torch.txt"}
# PyTorch's CUDA builds for make gpu, from PyTorch's own index (tests/test_gpu.py:
# test_pytorch_gpu_locks_pin_pyprojects_torch_with_the_tables_build).
FROM_IN_FILES |= {"gpu-torch-cu126.txt", "gpu-torch-cu128.txt", "gpu-torch-cu130.txt"}


def test_every_lock_file_is_checked_here() -> None:
    # A new lock (make lock) is added to LOCK_EXTRAS (or FROM_IN_FILES, with a test of its own),
    # and to HASHED when make installs it.
    locks = {path.name for path in LOCKS.glob("*.txt")}
    assert locks == set(LOCK_EXTRAS) | FROM_IN_FILES, "unchecked or missing locks"
    assert set(HASHED) <= set(LOCK_EXTRAS)


@pytest.mark.parametrize("lock", HASHED)
def test_locks_hold_what_the_project_is_built_with(lock: str) -> None:
    # make installs the project with --no-build-isolation: its build requirements come from the
    # lock (setuptools arrives as a dependency of TensorFlow), on every platform.
    build = tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]["requires"]
    for platform in PLATFORMS:
        locked = in_force(read_lock(lock), environment(platform, "3.11"))
        for req in map(Requirement, build):
            entry = locked.get(canonicalize_name(req.name))
            assert entry is not None and req.specifier.contains(entry.version), (platform, req)


@pytest.mark.parametrize("smaller, larger", list(zip(HASHED, HASHED[1:], strict=False)))
def test_each_lock_keeps_the_smaller_locks_versions(smaller: str, larger: str) -> None:
    # `make run`, then `make lab`, then `make test` in the same .venv must not change a version.
    entries = read_lock(larger)
    for entry in read_lock(smaller):
        same = [e for e in entries if e.name == entry.name and e.marker == entry.marker]
        assert [e.version for e in same] == [entry.version], entry


def test_make_run_installs_no_jupyter() -> None:
    # Jupyter (about 80 packages) comes with the first make lab / notebooks / test, not make run.
    for platform in PLATFORMS:
        env = environment(platform, "3.11")
        run, jupyter = in_force(read_lock("run.txt"), env), in_force(read_lock("jupyter.txt"), env)
        for req in map(Requirement, PYPROJECT["optional-dependencies"]["jupyter"]):
            name = canonicalize_name(req.name)
            assert name in jupyter and name not in run, (platform, name)
        assert len(jupyter) - len(run) > 50, platform


def test_site_lock_is_part_of_the_test_lock_without_tensorflow() -> None:
    # make site installs site.txt (hashed, with what builds the project); make test, which builds
    # the site too, installs test.txt: the same versions, so either order changes nothing.
    assert not [e.name for e in read_lock("site.txt") if e.hashes == 0]
    build = tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]["requires"]
    for platform in PLATFORMS:
        env = environment(platform, "3.11")
        site, test = in_force(read_lock("site.txt"), env), in_force(read_lock("test.txt"), env)
        assert {"sphinx", "jieba", "uv"} <= set(site), platform
        assert not {"tensorflow", "tensorflow-cpu", "jupyterlab"} & set(site), platform
        changed = {n: (e.version, test[n].version) for n, e in site.items() if n in test}
        assert {n: v for n, v in changed.items() if v[0] != v[1]} == {}, platform
        assert set(site) <= set(test), (platform, set(site) - set(test))
        for req in map(Requirement, build):
            assert req.specifier.contains(site[canonicalize_name(req.name)].version), req


def imported_at_module_level(path: Path) -> set[str]:
    """Top-level names of the modules PATH imports when it runs (not inside a function or an if)."""
    names = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            names |= {alias.name.partition(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.partition(".")[0])
    return names


def test_chapters_need_only_what_make_run_installs() -> None:
    # A chapter run from a terminal (make run, python scripts/chNN_....py) has only run.txt; the
    # package's modules that chapters import likewise. keras_tutorial.lab is the Jupyter command.
    here = environment("linux-x86_64", "3.11")
    run = set(in_force(read_lock("run.txt"), here))
    distributions = importlib.metadata.packages_distributions()
    files = sorted((ROOT / "scripts").glob("ch*.py"))
    files += [p for p in (ROOT / "src" / "keras_tutorial").glob("*.py") if p.name != "lab.py"]
    needed = {}
    for path in files:
        for module in imported_at_module_level(path) - set(sys.stdlib_module_names):
            if module in ("keras_tutorial", "__future__"):
                continue
            for dist in distributions.get(module, [module]):
                needed.setdefault(canonicalize_name(dist), []).append(path.name)
    assert "keras" in needed and "numpy" in needed  # the scan sees the chapters' imports
    missing = {name: where for name, where in needed.items() if name not in run}
    assert not missing, f"imported by chapters but not in run.txt: {missing}"


@pytest.mark.parametrize("lock", HASHED)
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
    # make gpu's build (recorded in the environment), in place of the CPU one it replaces.
    record = Path(sys.prefix) / ".gpu"
    gpu = record.read_text().strip() if record.is_file() else ""
    if gpu:
        if gpu == "gpu-tensorflow.txt":
            locked.pop("tensorflow-cpu", None)
        locked.update(in_force(read_lock(gpu), here))
    if gpu.startswith("gpu-torch-"):
        # What PyTorch's index brings with its CUDA build, unlocked (no hashes there either).
        have = {n: v for n, v in have.items() if not n.startswith(("nvidia-", "triton", "cuda-"))}
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


# --- what make runs ---------------------------------------------------------------------------
# make runs on a virtual environment of recording stand-ins: its python logs every call (pip calls
# do nothing more; tools/pip_to_uv.py runs for real) and, once pip has installed uv from a lock,
# bin/uv is a stand-in too. Each -r file is kept as req-N, so a test sees which lock each installer
# got, with which options and which of uv's settings.

STAND_IN = r"""#!/bin/bash
here=$(cd "$(dirname "$0")/.." && pwd)
args=() take=""
for arg in "$@"; do
  if [ -n "$take" ]; then
    n=$(find "$here" -maxdepth 1 -name 'req-*' | wc -l); cp "$arg" "$here/req-$n"
    arg="req-$n" take=""
  fi
  [ "$arg" = -r ] && take=1
  args+=("$arg")
done
seen=$(env | grep -E '^UV_(DEFAULT_INDEX|INDEX|INDEX_STRATEGY|FIND_LINKS|HTTP_TIMEOUT)=' | sort)
echo "$(basename "$0") ${args[*]} | ${seen//$'\n'/ }" >>"$here/calls"
case "$(basename "$0") $1 $2 $3" in
  "python -m pip install")
    if grep -qs '^uv==' "$here"/req-*; then cp "$0" "$here/bin/uv"; fi ;;
  "python tools/pip_to_uv.py "*) shift; exec "$REAL_PYTHON" tools/pip_to_uv.py "$@" ;;
  "uv pip install "*) [ -z "$STAND_IN_UV_FAILS" ] || exit 2 ;;
  "python -c "*) exit 1 ;;  # a probe for an installed package: there is none
esac
exit 0
"""


@dataclass
class Call:
    program: str  # python (pip, tools, chapters) or uv
    args: list[str]
    uv_settings: set[str]
    files: dict[str, str]  # each -r file it was given (req-N) → that file's text

    @property
    def installs(self) -> bool:
        return self.args[:3] == ["-m", "pip", "install"] or self.args[:2] == ["pip", "install"]

    def locks(self) -> list[str]:
        """The locks it was given whole, by name."""
        locks = [*HASHED, "site.txt"]
        return [n for n in locks for text in self.files.values() if text == lock_text(n)]


def lock_text(name: str) -> str:
    return (LOCKS / name).read_text()


def make_with_stand_ins(tmp_path: Path, *targets: str, **env: str) -> list[Call]:
    """Run `make TARGETS` on a stand-in virtual environment; the calls made in it, in order."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True, exist_ok=True)
    (venv / "bin" / "python").write_text(STAND_IN)
    (venv / "bin" / "python").chmod(0o755)
    (venv / "calls").unlink(missing_ok=True)
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "UV_", "MAKE"))}
    # The machine's pip.conf stays out: each test gives the pip settings it is about.
    environ |= {"PIP_CONFIG_FILE": os.devnull, "REAL_PYTHON": sys.executable, **env}
    result = subprocess.run(
        ["make", f"VENV={venv}", "TORCH_FIND_LINKS=", *targets],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    calls = []
    lines = (venv / "calls").read_text().splitlines() if (venv / "calls").exists() else []
    for line in lines:
        words, _, seen = line.partition(" | ")
        program, *args = words.split()
        files = {a: (venv / a).read_text() for a in args if a.startswith("req-")}
        calls.append(Call(program, args, set(seen.split()), files))
    return calls


def installs(calls: list[Call]) -> list[tuple[str, list[str]]]:
    return [(c.program, c.locks()) for c in calls if c.installs]


@pytest.mark.parametrize(
    "target, lock",
    [
        ("run", "run.txt"),
        ("lab", "jupyter.txt"),
        ("notebooks", "jupyter.txt"),
        ("test", "test.txt"),
        ("site", "site.txt"),
    ],
)
def test_each_command_installs_its_lock_with_uv_hashes_checked(tmp_path, target, lock) -> None:
    calls = make_with_stand_ins(tmp_path, target)
    done = [c for c in calls if c.installs]
    # First pip installs uv alone, from the same lock, its hashes checked.
    bootstrap = done[0]
    assert bootstrap.program == "python" and "--require-hashes" in bootstrap.args, bootstrap
    (text,) = bootstrap.files.values()
    (uv,) = read_lock("uv", text)
    assert uv.name == "uv" and uv.hashes > 0 and text.strip() in lock_text(lock)
    # Then uv installs the whole lock: hashes required, nothing resolved.
    assert [(c.program, c.locks()) for c in done[1:] if c.locks()] == [("uv", [lock])]
    whole = next(c for c in done if c.locks())
    assert {"--require-hashes", "--no-deps"} <= set(whole.args), whole
    # The project last, editable, on top of the lock.
    assert done[-1].program == "uv" and done[-1].args[-2:] == ["-e", "."], done[-1]
    if target == "test":  # PyTorch's CPU build: its own lock, which has no hashes
        (torch,) = [c for c in done if lock_text("torch.txt") in c.files.values()]
        assert torch.program == "uv" and "--no-deps" in torch.args


def test_installer_pip_installs_the_same_lock_with_pip(tmp_path) -> None:
    calls = make_with_stand_ins(tmp_path, "run", INSTALLER="pip")
    assert {c.program for c in calls if c.installs} == {"python"}
    assert not [c for c in calls if "tools/pip_to_uv.py" in c.args]
    (whole,) = [c for c in calls if c.locks()]
    assert whole.locks() == ["run.txt"] and {"--require-hashes", "--no-deps"} <= set(whole.args)


def test_pips_mirror_settings_reach_uv(tmp_path) -> None:
    mirror, extra, wheels = "http://127.0.0.1:9/simple", "http://127.0.0.1:9/more", "/srv/wheels"
    calls = make_with_stand_ins(
        tmp_path,
        "run",
        PIP_INDEX_URL=mirror,
        PIP_EXTRA_INDEX_URL=extra,
        PIP_FIND_LINKS=wheels,
        PIP_DEFAULT_TIMEOUT="120",
    )
    (whole,) = [c for c in calls if c.locks()]
    assert whole.program == "uv"
    assert whole.uv_settings == {
        f"UV_DEFAULT_INDEX={mirror}",
        f"UV_INDEX={extra}",
        "UV_INDEX_STRATEGY=unsafe-best-match",
        f"UV_FIND_LINKS={wheels}",
        "UV_HTTP_TIMEOUT=120",
    }


def test_uvs_own_index_wins_over_pips(tmp_path) -> None:
    mine = "http://127.0.0.1:9/uv"
    calls = make_with_stand_ins(
        tmp_path, "run", PIP_INDEX_URL="http://127.0.0.1:9/pip", UV_DEFAULT_INDEX=mine
    )
    (whole,) = [c for c in calls if c.locks()]
    assert whole.program == "uv" and whole.uv_settings == {f"UV_DEFAULT_INDEX={mine}"}


def test_a_pip_setting_uv_cannot_take_means_pip(tmp_path) -> None:
    calls = make_with_stand_ins(tmp_path, "run", PIP_NO_INDEX="1", PIP_FIND_LINKS="/srv/wheels")
    assert {c.program for c in calls if c.installs} == {"python"}
    (whole,) = [c for c in calls if c.locks()]
    assert {"--require-hashes", "--no-deps"} <= set(whole.args), whole


def test_when_uv_fails_pip_installs_the_lock(tmp_path) -> None:
    # A mirror or network uv cannot handle: pip, with the same hashes, instead of a failed make.
    calls = make_with_stand_ins(tmp_path, "run", STAND_IN_UV_FAILS="1")
    assert [(c.program, c.locks()) for c in calls if c.locks()] == [
        ("uv", ["run.txt"]),
        ("python", ["run.txt"]),
    ]
    (pip,) = [c for c in calls if c.program == "python" and c.locks()]
    assert {"--require-hashes", "--no-deps"} <= set(pip.args), pip


def test_make_lab_after_make_run_adds_jupyter(tmp_path) -> None:
    assert installs(make_with_stand_ins(tmp_path, "run"))[1] == ("uv", ["run.txt"])
    # uv is there now: no second bootstrap.
    assert installs(make_with_stand_ins(tmp_path, "lab"))[0] == ("uv", ["jupyter.txt"])


def test_a_larger_install_stamps_the_smaller_ones(tmp_path) -> None:
    assert installs(make_with_stand_ins(tmp_path, "test"))[1] == ("uv", ["test.txt"])
    again = make_with_stand_ins(tmp_path, "run", "lab", "test")
    assert not [c for c in again if c.installs or "tools/pip_to_uv.py" in c.args], again
    assert installs(make_with_stand_ins(tmp_path / "2", "lab"))[1] == ("uv", ["jupyter.txt"])
    again = make_with_stand_ins(tmp_path / "2", "run")
    assert not [c for c in again if c.installs or "tools/pip_to_uv.py" in c.args], again
