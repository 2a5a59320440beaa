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

import pytest
from helpers import ROOT

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


def _bats(*args: str) -> subprocess.CompletedProcess[str]:
    """Run bats on tests/bats, with this interpreter as python3 (the helpers ask it for pins)."""
    bats = _tool("bats")
    path = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])
    env = {**os.environ, "PATH": path}
    return subprocess.run(
        [bats, "--tap", *args, str(BATS_DIR)], cwd=ROOT, capture_output=True, text=True, env=env
    )


@pytest.fixture(scope="module")
def bats_run() -> subprocess.CompletedProcess[str]:
    """Every scenario, run once for the tests below."""
    return _bats()


def test_bats_scenarios_pass(bats_run):
    result = bats_run
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    planned = re.search(r"^1\.\.(\d+)$", result.stdout, re.M)
    assert planned and int(planned.group(1)) >= 50, output


def test_script_is_executable():
    assert os.access(SCRIPT, os.X_OK), "chmod +x setup_gpu_ubuntu.sh"


def test_the_scripts_build_choice_agrees_with_the_table(bats_run):
    """The script's dry run, under a stubbed nvidia-smi for every GPU generation, driver and
    backend, picks what keras_tutorial.gpu computes from gpu_builds.tsv (the bats scenario runs
    both and compares; tests/test_doctor.py does the same for the doctor's advice)."""
    output = bats_run.stdout + bats_run.stderr
    scenario = "the script's build choice agrees with the table for every GPU, driver and backend"
    assert re.search(rf"^ok \d+ {re.escape(scenario)}$", bats_run.stdout, re.M), output
