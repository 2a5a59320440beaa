"""Chapter 4 as a learner runs it from a terminal (and as the notebook runner runs it)."""

from __future__ import annotations

import re

import pytest
from helpers import NOTEBOOKS, run_script

from keras_tutorial.exercises import NOT_ANSWERED

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


def test_quick_run_from_the_notebooks_folder(tmp_path):
    # Chapter 4 needs no MNIST: a path that does not exist shows it never loads the data.
    out = tmp_path / "out"
    env = {"MNIST_PATH": str(tmp_path / "no-mnist.npz")}
    result = run_script(SCRIPT, "--quick", "--out", str(out), env=env, cwd=NOTEBOOKS)
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
    # The one number the backend computes: one forward pass, timed (test_backends: JAX, PyTorch).
    assert 0 < number(r"一次前向计算（128 张图）([0-9.]+) ms", stdout) < 10_000
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
    # The exercises' cells are left for the learner: nothing answered, nothing trained.
    assert stdout.count(NOT_ANSWERED) == 4
    assert "Epoch 1/" not in stdout  # no Keras training in this chapter
    assert "200 步后 w" not in stdout.split("ch04.4")[-1]
