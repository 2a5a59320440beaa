"""setup_gpu_ubuntu.sh: shellcheck is clean and its bats tests pass (Debian's bats and shellcheck).

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
    stubs = sorted(p for p in (BATS_DIR / "stubs").iterdir() if p.is_file())
    files = [SCRIPT, BATS_DIR / "helpers.bash", *stubs]
    result = subprocess.run(
        [_tool("shellcheck"), "--shell=bash", "--external-sources", *map(str, files)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_bats_scenarios_pass():
    bats = _tool("bats")
    # The helpers read pyproject.toml with tomllib: give them this interpreter as python3.
    path = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])
    env = {**os.environ, "PATH": path}
    result = subprocess.run(
        [bats, "--tap", str(BATS_DIR)], cwd=ROOT, capture_output=True, text=True, env=env
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    planned = re.search(r"^1\.\.(\d+)$", result.stdout, re.M)
    assert planned and int(planned.group(1)) >= 20, output


def test_script_is_executable():
    assert os.access(SCRIPT, os.X_OK), "chmod +x setup_gpu_ubuntu.sh"


def test_cuda_lines_agree_with_the_doctor():
    """The doctor's advice names the same CUDA builds that the script installs."""
    from keras_tutorial import doctor

    text = SCRIPT.read_text()
    assert f"TORCH_CUDA=${{TORCH_CUDA:-{doctor.TORCH_CUDA}}}" in text
    assert f"JAX_CUDA=${{JAX_CUDA:-{doctor.JAX_CUDA}}}" in text
