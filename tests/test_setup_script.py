"""setup_gpu_ubuntu.sh: shellcheck is clean and its bats scenarios pass (Debian's tools).

Both tools come from apt (.ci/run installs them); each test skips with a reason where one is
missing, so `make test` runs them wherever they exist.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT

from keras_tutorial import gpu

SCRIPT = ROOT / "setup_gpu_ubuntu.sh"
BATS_DIR = ROOT / "tests" / "bats"


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (Debian/Ubuntu: apt-get install {name})")
    return found


def test_shellcheck_is_clean():
    """The script, the bats helpers and stubs, and the .bats files (as bats) pass shellcheck."""
    stubs = sorted(p for p in (BATS_DIR / "stubs").iterdir() if p.is_file())
    shell = _tool("shellcheck")
    checks = [
        ["--shell=bash", str(SCRIPT), str(BATS_DIR / "helpers.bash"), *map(str, stubs)],
        ["--shell=bats", *map(str, sorted(BATS_DIR.glob("*.bats")))],
    ]
    for args in checks:
        result = subprocess.run(
            [shell, "--severity=warning", "--external-sources", *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stdout + result.stderr


def _bats(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run bats on tests/bats, with this interpreter as python3 (the helpers ask it for pins)."""
    bats = _tool("bats")
    path = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])
    return subprocess.run(
        [bats, "--tap", *args, str(BATS_DIR)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {}), "PATH": path},
    )


@pytest.fixture(scope="module")
def choices_file(tmp_path_factory) -> Path:
    """Where the build-choice scenario writes each case and what the script printed."""
    return tmp_path_factory.mktemp("bats") / "choices.tsv"


@pytest.fixture(scope="module")
def bats_run(choices_file) -> subprocess.CompletedProcess[str]:
    """Every scenario, run once for the tests below."""
    return _bats(env={"SETUP_CHOICES_FILE": str(choices_file)})


def test_bats_scenarios_pass(bats_run):
    """Every scenario passes, and every one ran: bats planned as many as the .bats files hold."""
    result = bats_run
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    planned = re.search(r"^1\.\.(\d+)$", result.stdout, re.M)
    written = sum(
        len(re.findall(r"^@test ", path.read_text(encoding="utf-8"), re.M))
        for path in BATS_DIR.glob("*.bats")
    )
    assert planned and int(planned.group(1)) == written > 0, output
    assert len(re.findall(r"^ok \d+ ", result.stdout, re.M)) == written, output


def test_script_is_executable():
    assert os.access(SCRIPT, os.X_OK), "chmod +x setup_gpu_ubuntu.sh"


def test_the_scripts_build_choice_agrees_with_the_table(bats_run, choices_file):
    """The script's dry run, under a stubbed nvidia-smi for every GPU generation, driver and
    backend, picks what keras_tutorial.gpu computes from gpu_builds.tsv: the bats scenario writes
    each case, the script's exit status and the build it printed, compared here with gpu.choose
    (tests/test_doctor.py does the same for the doctor's advice)."""
    assert choices_file.exists(), bats_run.stdout + bats_run.stderr
    rows = [line.split("\t") for line in choices_file.read_text(encoding="utf-8").splitlines()]
    cases = [tuple(row[0].split()) for row in rows]
    backends, caps, drivers = (set(column) for column in zip(*cases, strict=True))
    # A whole grid, each case once: every backend, several GPU generations and drivers.
    assert backends == set(gpu.BACKENDS)
    assert len(caps) >= 5 and len(drivers) >= 3
    assert len(set(cases)) == len(cases) == len(backends) * len(caps) * len(drivers)
    outcomes = set()
    for (backend, cap, driver), (_, status, printed) in zip(cases, rows, strict=True):
        choice = gpu.choose(backend, cap, driver, "x86_64")
        want = ("0", f"{choice.build} {choice.lock}") if choice.build else ("1", "")
        assert (status, printed) == want, (backend, cap, driver)
        outcomes.add(status)
    # Both kinds of answer were checked: a build, and a refusal where the table has none.
    assert outcomes == {"0", "1"}
