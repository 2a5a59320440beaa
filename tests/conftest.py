"""Shared fixtures: the repository root, real MNIST when available, and running chapter scripts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ROOT / "scripts"
NOTEBOOKS = ROOT / "notebooks"
BACKENDS = ("tensorflow", "jax", "torch")


def real_mnist_path() -> Path | None:
    """The real MNIST file: MNIST_PATH, else the Keras cache a learner's `make run` filled."""
    env = os.environ.get("MNIST_PATH")
    if env:
        return Path(env) if Path(env).is_file() else None
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    cached = Path(home) / "datasets" / "mnist.npz"
    return cached if cached.is_file() else None


@pytest.fixture(scope="session")
def mnist_path() -> Path:
    path = real_mnist_path()
    if path is None:
        pytest.skip(
            "real MNIST not available: set MNIST_PATH to a Keras-layout mnist.npz "
            "(or run `make run` once to download it into the Keras cache)"
        )
    return path


def backend_available(name: str) -> bool:
    module = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}[name]
    import importlib.util

    return importlib.util.find_spec(module) is not None


def run_script(
    script: str | Path,
    *args: str,
    env: dict[str, str] | None = None,
    timeout: float = 900,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run a chapter script with this interpreter, as a learner would from a terminal."""
    full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    path = Path(script)
    if not path.is_absolute():
        path = SCRIPTS / path
    return subprocess.run(
        [sys.executable, str(path), *args],
        env=full_env,
        cwd=cwd or ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def assert_clean_error(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    """A learner's error: non-zero exit, 中文 and English message, no traceback."""
    assert result.returncode != 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert "错误" in result.stderr and "Error" in result.stderr, result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr
