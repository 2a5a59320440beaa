"""Chapter 2 as a learner runs it from a terminal."""

from __future__ import annotations

from helpers import assert_clean_error, assert_figures, run_script

from keras_tutorial.exercises import NOT_ANSWERED

CH02 = "ch02_tensors.py"
FIGURES = ["ch02_digit.png", "ch02_slice.png", "ch02_crops.png", "ch02_prices.png"]


def test_quick_run(mnist_path, tmp_path):
    out = tmp_path / "out"
    result = run_script(CH02, "--quick", "--out", str(out), env={"MNIST_PATH": str(mnist_path)})
    assert result.returncode == 0, result.stderr[-3000:]
    stdout = result.stdout
    assert "train_images: ndim=3  shape=(60000, 28, 28)  dtype=uint8" in stdout
    assert "train_images[10:100]: ndim=3  shape=(90, 28, 28)" in stdout
    assert "三种写法结果相同: True" in stdout
    # Step slicing: v[::3] keeps indices 0, 3, 6, 9.
    assert "v[::3]  : [0 3 6 9]   元素个数: 4" in stdout
    assert "digit[::2, ::2]: ndim=2  shape=(14, 14)  dtype=uint8" in stdout
    # Batches are numbered from 0 and described by the indices they hold.
    assert "批量 1: 图片下标 128 到 255, shape=(128, 28, 28)" in stdout
    assert "一共 469 批；最后一批（批量 468）的形状: (96, 28, 28)" in stdout
    # Why batches: the whole training set against one batch of 128, as float32.
    assert "全部训练图片（60000 张）: 输入   179.44 MiB，第一层输出   117.19 MiB" in stdout
    assert "一个批量（128 张）: 输入     0.38 MiB，第一层输出     0.25 MiB" in stdout
    assert "各批大小加起来: 60000  训练图片总数: 60000" in stdout
    # Sequences: samples, timesteps (axis 1), features.
    assert "year: ndim=3  shape=(250, 390, 3)" in stdout
    assert "year[:, 0, :]（每天开盘第一分钟）: ndim=2  shape=(250, 3)" in stdout
    assert "时间步个数 year.shape[1]: 390" in stdout
    assert "tweets: ndim=3  shape=(3, 280, 128)  dtype=uint8" in stdout
    assert "从独热编码还原: Tensors are just boxes of numbers." in stdout
    # A bag of words forgets the order: "dog bites man" and "man bites dog" are the same.
    assert "bags: ndim=2  shape=(3, 6)  dtype=int32" in stdout
    assert "bags[0] 与 bags[1] 相同: True" in stdout
    assert "channels_first: ndim=4  shape=(128, 1, 28, 28)" in stdout
    assert "全部像素相同: True" in stdout
    # The video's frame count comes from seconds × frames per second.
    assert "每段的帧数: 240" in stdout
    assert "videos: ndim=5  shape=(4, 240, 144, 256, 3)  dtype=float32" in stdout
    assert "= 405.0 MiB = 424.7 MB" in stdout
    assert "存成 uint8 只要: 101.2 MiB" in stdout
    # Six exercises, each left for the learner.
    assert stdout.count(NOT_ANSWERED) == 6
    assert_figures(out, FIGURES)


def test_without_mnist_is_a_clean_error(tmp_path):
    missing = tmp_path / "nowhere" / "mnist.npz"
    result = run_script(CH02, "--quick", "--out", str(tmp_path), env={"MNIST_PATH": str(missing)})
    assert result.returncode == 1
    assert_clean_error(result, str(missing))
