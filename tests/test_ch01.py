"""Chapter 1 as a learner runs it from a terminal."""

from __future__ import annotations

import re

import pytest
from helpers import BACKENDS, assert_clean_error, backend_available, run_script

SCRIPT = "ch01_mnist_dense.py"
FIGURES = ["ch01_samples.png", "ch01_history.png", "ch01_predictions.png", "ch01_mistakes.png"]


def test_accuracy(stdout: str) -> float:
    match = re.search(r"^test_acc: ([0-9.]+)$", stdout, re.M)
    assert match, stdout
    return float(match.group(1))


test_accuracy.__test__ = False  # a helper, not a test


@pytest.mark.parametrize("backend", BACKENDS)
def test_quick_run_under_each_backend(backend, mnist_path, tmp_path):
    if not backend_available(backend):
        pytest.skip(f"{backend} is not installed (pip install -e '.[jax,torch]')")
    out = tmp_path / "out"
    result = run_script(
        SCRIPT,
        "--quick",
        "--out",
        str(out),
        env={"KERAS_BACKEND": backend, "MNIST_PATH": str(mnist_path)},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"backend {backend}" in result.stdout
    assert "Epoch 5/5" in result.stdout
    # 2000 training images for 5 epochs already beat guessing (10%) by far.
    assert test_accuracy(result.stdout) > 0.7
    assert "重新加载后前 100 张预测相同: True" in result.stdout
    for name in [*FIGURES, "ch01_mnist_dense.keras"]:
        assert (out / name).stat().st_size > 1000, name
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary files left


@pytest.mark.slow
def test_full_run_reaches_the_books_accuracy(mnist_path, tmp_path):
    result = run_script(SCRIPT, "--out", str(tmp_path), env={"MNIST_PATH": str(mnist_path)})
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Epoch 5/5" in result.stdout and "batch_size=128" in result.stdout
    assert test_accuracy(result.stdout) >= 0.975


@pytest.mark.parametrize(
    "args",
    [["--epochs", "0"], ["--epochs", "five"], ["--batch-size", "-3"], ["--no-such-flag"]],
)
def test_bad_flags(args, tmp_path):
    result = run_script(SCRIPT, *args, "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert_clean_error(result, "--help")
    assert not (tmp_path / "out").exists()


def test_broken_mnist_file(tmp_path):
    broken = tmp_path / "mnist.npz"
    broken.write_bytes(b"this is not MNIST")
    out = tmp_path / "out"
    result = run_script(SCRIPT, "--quick", "--out", str(out), env={"MNIST_PATH": str(broken)})
    assert result.returncode == 1
    assert_clean_error(result, "MNIST_PATH", str(broken))
    assert list(out.iterdir()) == []


def test_unwritable_output_folder(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = run_script(SCRIPT, "--quick", "--out", str(blocker / "out"))
    assert result.returncode == 1
    assert_clean_error(result, "--out")
