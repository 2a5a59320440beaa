"""Chapter 4 as a learner runs it from a terminal (and as the notebook runner runs it)."""

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
    assert_clean_error,
    backend_available,
    run_script,
)

SCRIPT = "ch04_gradient_descent.py"
FIGURES = [
    "ch04_derivative.png",
    "ch04_gd_1d.png",
    "ch04_gd_2d.png",
    "ch04_sgd_batches.png",
    "ch04_momentum.png",
    "ch04_optimizers_2d.png",
]


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
    # 4.1: chapter 1's model and its update count, from chapter 1's own settings.
    assert number(r"可训练参数一共 ([0-9,]+) 个", stdout) == 407_050
    assert "每轮 54000 张 ÷ 128 → 422 批；5 轮共更新 2110 次" in stdout
    assert number(r"每次更新 ([0-9,]+) 次前向计算", stdout) == 814_100
    # 4.6: plain descent stops in the local minimum near +0.93; momentum reaches the one near -1.06.
    assert number(r"^梯度下降 学习率 0.01：200 步后 w = ([-+0-9.]+)", stdout) == pytest.approx(
        0.93, abs=0.01
    )
    assert number(r"^动量 学习率 0.01, μ=0.9：200 步后 w = ([-+0-9.]+)", stdout) == pytest.approx(
        -1.06, abs=0.01
    )
    # 4.7: gradient descent at momentum's effective step crosses the ravine every step, momentum
    # far less often.
    assert number(r"等效步长 η/\(1−μ\) = ([0-9.]+)", stdout) == pytest.approx(0.05 / 0.3, abs=1e-3)
    assert number(r"^梯度下降 学习率 0.167：.*横穿沟底 ([0-9]+) 次", stdout) == 30
    assert number(r"^动量 学习率 0.05, μ=0.7：.*横穿沟底 ([0-9]+) 次", stdout) < 10
    # 4.9: each gradient has its weight's shape and agrees with central differences and autodiff.
    shapes = re.findall(r"形状 (\([0-9, ]+\))，梯度形状 (\([0-9, ]+\))", stdout)
    assert len(shapes) == 4 and all(a == b for a, b in shapes)
    pairs = re.findall(r"反向传播 ([-+0-9.]+)，中心差分 ([-+0-9.]+)", stdout)
    assert len(pairs) == 4
    for ours, numeric in pairs:
        assert float(ours) == pytest.approx(float(numeric), rel=1e-6)
        assert abs(float(ours)) > 1e-4
    differences = re.findall(r"自动微分的最大差 ([0-9.e+-]+)", stdout)
    assert len(differences) == 4 and all(float(d) < 1e-12 for d in differences)
    # 4.10: 2000 training images for 5 epochs already beat guessing (10%) by far, for both networks.
    assert number(r"test_acc = ([0-9.]+)", stdout) > 0.7
    assert number(r"测试准确率：NumPy [0-9.]+，Keras ([0-9.]+)", stdout) > 0.7
    # The exercises' cells are left for the learner: nothing answered, nothing trained.
    assert stdout.count("还没有作答 / not answered yet") == 4
    assert stdout.count("Epoch 1/") == 1  # Keras trains once, in 4.10
    assert "验证准确率" not in stdout and "200 步后 w" not in stdout.split("ch04.4")[-1]


@pytest.mark.parametrize(
    "args",
    [["--epochs", "0"], ["--batch-size", "many"], ["--no-such-flag"]],
)
def test_bad_flags(args, tmp_path):
    result = run_script(SCRIPT, *args, "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert_clean_error(result, "--help")
    assert not (tmp_path / "out").exists()


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
    # 4.9's cell, as the chapter runs it up to there, under each Keras backend: the backend's
    # own tool (GradientTape, jax.grad, loss.backward) must give the hand-written gradients.
    if not backend_available(backend):
        pytest.skip(f"{backend} is not installed")
    code = chapter_code_before("## 4.10") + CHECK_AUTODIFF
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
