"""Chapter 5 as a learner runs it from a terminal (and as the notebook runner runs it)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import jupytext
import pytest
from helpers import (
    BACKENDS,
    NOTEBOOKS,
    SCRIPTS,
    backend_available,
    run_script,
)

from keras_tutorial.exercises import NOT_ANSWERED

SCRIPT = "ch05_backpropagation.py"
FIGURES = ["ch05_numpy_vs_keras.png"]


def number(pattern: str, text: str) -> float:
    match = re.search(pattern, text, re.M)
    assert match, f"{pattern!r} not in output:\n{text[-3000:]}"
    return float(match.group(1).replace(",", ""))


def test_quick_run_from_the_notebooks_folder(mnist_path, tmp_path):
    out = tmp_path / "out"
    result = run_script(
        SCRIPT, "--quick", "--out", str(out), env={"MNIST_PATH": str(mnist_path)}, cwd=NOTEBOOKS
    )
    assert result.returncode == 0, result.stderr[-3000:]
    stdout = result.stdout
    assert "quick=True" in stdout
    for name in FIGURES:
        assert (out / name).stat().st_size > 5000, name
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary files left
    # 5.1: the chain rule's product and the central difference agree.
    assert number(r"链式法则：dL/dw = .* = ([-0-9.]+)", stdout) == -4.0
    assert number(r"中心差分：dL/dw ≈ ([-0-9.]+)", stdout) == pytest.approx(-4.0, abs=1e-6)
    # 5.2: each gradient has its weight's shape and agrees with central differences and autodiff.
    shapes = re.findall(r"形状 (\([0-9, ]+\))，梯度形状 (\([0-9, ]+\))", stdout)
    assert len(shapes) == 4 and all(a == b for a, b in shapes)
    pairs = re.findall(r"反向传播 ([-+0-9.]+)，中心差分 ([-+0-9.]+)", stdout)
    assert len(pairs) == 4
    for ours, numeric in pairs:
        assert float(ours) == pytest.approx(float(numeric), rel=1e-6)
        assert abs(float(ours)) > 1e-4
    differences = re.findall(r"自动微分的最大差 ([0-9.e+-]+)", stdout)
    assert len(differences) == 4 and all(float(d) < 1e-12 for d in differences)
    # 5.3: 2000 training images for 5 epochs already beat guessing (10%) by far, for both networks.
    assert number(r"test_acc = ([0-9.]+)", stdout) > 0.7
    assert number(r"测试准确率：NumPy [0-9.]+，Keras ([0-9.]+)", stdout) > 0.7
    # The exercises' cells are left for the learner: nothing answered, nothing trained.
    assert stdout.count(NOT_ANSWERED) == 2
    assert stdout.count("Epoch 1/") == 1  # Keras trains once, in 5.3
    assert "验证准确率" not in stdout


def test_epochs_flag_sets_both_networks_training(mnist_path, tmp_path):
    result = run_script(
        SCRIPT,
        "--quick",
        "--epochs",
        "2",
        "--out",
        str(tmp_path / "out"),
        env={"MNIST_PATH": str(mnist_path)},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    losses = re.search(r"每轮的训练损失 \[([^\]]*)\]", result.stdout)
    assert losses and len(losses.group(1).split()) == 2
    assert "Epoch 2/2" in result.stdout and "Epoch 3/" not in result.stdout


def chapter_code_before(heading: str) -> str:
    """The chapter's code cells that come before the markdown cell holding ``heading``."""
    notebook = jupytext.read(SCRIPTS / SCRIPT)
    code = []
    for cell in notebook.cells:
        if cell.cell_type == "markdown" and heading in cell.source:
            return "\n\n".join(code)
        if cell.cell_type == "code":
            code.append(cell.source)
    raise AssertionError(f"{heading!r} not found in {SCRIPT}")


CHECK_AUTODIFF = """
import json
report = {
    "backend": backend,
    "errors": {
        k: float(np.abs(auto_grads[k] - grads[k]).max() / np.abs(grads[k]).max()) for k in grads
    },
    "dtypes": sorted({str(np.asarray(g).dtype) for g in auto_grads.values()}),
    "shapes": all(np.shape(auto_grads[k]) == params64[k].shape for k in params64),
    "independent": all(auto_grads[k] is not grads[k] for k in grads),
}
print("AUTODIFF " + json.dumps(report))
"""


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_autodiff_cell_agrees_with_backward_on_each_backend(backend, tmp_path):
    # 5.2's cell, as the chapter runs it up to there, under each Keras backend: the backend's
    # own tool (GradientTape, jax.grad, loss.backward) must give the hand-written gradients.
    if not backend_available(backend):
        pytest.skip(f"{backend} is not installed")
    code = chapter_code_before("## 5.3") + CHECK_AUTODIFF
    result = subprocess.run(
        [sys.executable, "-c", code, "--quick", "--out", str(tmp_path)],
        env={**os.environ, "KERAS_BACKEND": backend, "MPLBACKEND": "Agg"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    line = next(x for x in result.stdout.splitlines() if x.startswith("AUTODIFF "))
    report = json.loads(line.removeprefix("AUTODIFF "))
    assert report["backend"] == backend
    assert report["dtypes"] == ["float64"] and report["shapes"] and report["independent"]
    assert max(report["errors"].values()) < 1e-10, report
