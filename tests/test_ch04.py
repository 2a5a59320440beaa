"""Chapter 4 as a learner runs it from a terminal (and as the notebook runner runs it)."""

from __future__ import annotations

import re

import pytest
from helpers import NOTEBOOKS, assert_clean_error, run_script

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
    assert number(r"^SGD lr=0.01: 200 步后 w = ([-+0-9.]+)", stdout) == pytest.approx(
        0.93, abs=0.01
    )
    assert number(r"momentum=0.9: 200 步后 w = ([-+0-9.]+)", stdout) == pytest.approx(
        -1.06, abs=0.01
    )
    # 4.7: SGD at lr 0.15 crosses the ravine every step; momentum far less often.
    assert number(r"SGD lr=0.15: .*w2 变号 +([0-9]+) 次", stdout) == 30
    assert number(r"momentum lr=0.05, 0.7: .*w2 变号 +([0-9]+) 次", stdout) < 10
    # 4.9: the hand-written gradients agree with central differences and with autodiff.
    errors = re.findall(r"与中心差分的相对误差 ([0-9.e+-]+)", stdout)
    assert len(errors) == 4 and all(float(e) < 1e-6 for e in errors)
    assert number(r"自动微分的最大相对误差: ([0-9.e+-]+)", stdout) < 1e-10
    # 4.10: 2000 training images for 5 epochs already beat guessing (10%) by far, for both networks.
    assert number(r"test_acc = ([0-9.]+)", stdout) > 0.7
    assert number(r"^ +[0-9.]+ +([0-9.]+) +测试准确率", stdout) > 0.7  # the Keras column
    assert re.search(r"这次运行 (NumPy|Keras) 更快：(Keras|NumPy) 的总用时是", stdout)
    # The exercises' cells are left for the learner.
    assert stdout.count("还没有作答 / not answered yet") == 4


@pytest.mark.parametrize(
    "args",
    [["--epochs", "0"], ["--batch-size", "many"], ["--no-such-flag"]],
)
def test_bad_flags(args, tmp_path):
    result = run_script(SCRIPT, *args, "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert_clean_error(result, "--help")
    assert not (tmp_path / "out").exists()
