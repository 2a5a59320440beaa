"""Chapters 2 and 3 as a learner runs them from a terminal."""

from __future__ import annotations

import re

import matplotlib.image
import pytest
from helpers import assert_clean_error, run_script

CH02 = "ch02_tensors.py"
CH03 = "ch03_tensor_operations.py"
CH02_FIGURES = ["ch02_digit.png", "ch02_slice.png", "ch02_crops.png", "ch02_prices.png"]
CH03_FIGURES = ["ch03_rotation_affine.png", "ch03_dense_relu.png", "ch03_speedup.png"]


def assert_figures(out, names):
    for name in names:
        image = matplotlib.image.imread(out / name)
        assert image.shape[0] > 100 and image.shape[1] > 100, name
    assert sorted(p.name for p in out.iterdir()) == sorted(names)  # no temporary files left


def test_ch02_quick_run(mnist_path, tmp_path):
    out = tmp_path / "out"
    result = run_script(CH02, "--quick", "--out", str(out), env={"MNIST_PATH": str(mnist_path)})
    assert result.returncode == 0, result.stderr[-3000:]
    stdout = result.stdout
    assert "train_images: ndim=3  shape=(60000, 28, 28)  dtype=uint8" in stdout
    assert "train_images[10:100]: ndim=3  shape=(90, 28, 28)" in stdout
    assert "三种写法结果相同: True" in stdout
    assert "一共 469 批；最后一批的形状: (96, 28, 28)" in stdout
    assert "year: ndim=3  shape=(250, 390, 3)" in stdout
    assert "tweet: ndim=2  shape=(280, 128)" in stdout
    assert "从独热编码还原: Tensors are just boxes of numbers." in stdout
    assert "channels_first: ndim=4  shape=(128, 1, 28, 28)" in stdout
    assert "全部像素相同: True" in stdout
    assert "videos: ndim=5  shape=(4, 240, 144, 256, 3)  dtype=float32" in stdout
    assert "= 405.0 MiB" in stdout
    assert_figures(out, CH02_FIGURES)


def test_ch03_quick_run_from_another_folder(tmp_path):
    out = tmp_path / "out"
    # The chapter needs no MNIST, and must not depend on the working directory.
    result = run_script(CH03, "--quick", "--out", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    stdout = result.stdout
    checks = re.findall(r"^.*: (True|False)$", stdout, re.M)
    assert len(checks) >= 12 and set(checks) == {"True", "False"}
    # The only expected False lines: dot(x, y) != dot(y, x) and transpose != reshape.
    falses = [line for line in stdout.splitlines() if line.endswith(": False")]
    assert falses == ["两者相等: False", "x.T 与 x.reshape((2, 3)) 相同: False"]
    assert "(a, b, c, d)·(d,)   → (2, 3, 4)" in stdout
    assert "(a, b, c, d)·(d, e) → (2, 3, 4, 6)" in stdout
    assert "np.maximum: (64, 3, 32, 10) 和 (32, 10) → (64, 3, 32, 10)" in stdout
    assert stdout.count("ValueError: naive_") == 2
    for op in ("relu", "add", "matrix_dot"):
        assert re.search(rf"^\| {op} \| \d+ \|", stdout, re.M), op
    assert_figures(out, CH03_FIGURES)


@pytest.mark.parametrize("script", [CH02, CH03])
@pytest.mark.parametrize("args", [["--no-such-flag"], ["--seed", "many"]])
def test_bad_flags(script, args, tmp_path):
    result = run_script(script, *args, "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert_clean_error(result, "--help", args[0] if len(args) == 1 else args[1])
    assert not (tmp_path / "out").exists()


def test_ch02_without_mnist_is_a_clean_error(tmp_path):
    missing = tmp_path / "nowhere" / "mnist.npz"
    result = run_script(CH02, "--quick", "--out", str(tmp_path), env={"MNIST_PATH": str(missing)})
    assert result.returncode == 1
    assert_clean_error(result, str(missing))
