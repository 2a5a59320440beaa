"""Chapter 1's checkers: the reference answers pass, typical mistakes get a hint that names them."""

from __future__ import annotations

import math

import numpy as np
import pytest

from keras_tutorial.exercises import check, checkers

# (exercise, wrong answer, words the hint must contain)
WRONG = [
    ("ch01.1", 421, "最后一批"),
    ("ch01.1", 421.875, "整数"),
    ("ch01.1", 469, "全部 60000 张"),
    ("ch01.1", 468, "全部 60000 张"),
    ("ch01.1", 47, "验证集的批数"),
    ("ch01.1", 54000, "张数"),
    ("ch01.1", 2110, "一轮"),
    ("ch01.1", 500, "不满的一批也算"),
    ("ch01.3", (814_090, 50_890), "写反"),
    ("ch01.3", (407_050, 814_090), "512 个神经元"),
    ("ch01.3", (784 * 64 + 64 * 10, 814_090), "漏了偏置"),
    ("ch01.3", (50_890, 784 * 1024 + 1024), "只数了第一层"),
    ("ch01.3", (50_890, 784 * 1024 + 1024 * 10 + 1024), "只加了一层的偏置"),
    ("ch01.3", (28 * 64 + 64 + 64 * 10 + 10, 814_090), "28 × 28"),
    ("ch01.3", (50_000, 814_090), "输入个数 × 神经元个数"),
    ("ch01.3", 50_890, "两个整数"),
    ("ch01.3", (50_890.5, 814_090), "整数"),
    ("ch01.7", ((4, 16), (784, 16)), "不会自己展平"),
    ("ch01.7", ((4, 28, 16), (784, 16)), "不会自己展平"),
    ("ch01.7", ((4, 28, 28, 16), (28, 16)), "不是在后面再加一个轴"),
    ("ch01.7", ((4, 28, 16), (16, 28)), "写反"),
    ("ch01.7", ((4, 28, 16), (28, 28)), "最后一个轴的长度, 神经元个数"),
    ("ch01.7", ((28, 16), (4, 28, 16)), "输出形状不对"),
    ("ch01.7", (4, 28, 16), "两个形状"),
]


def reference_parameter_counts():
    """练习 3 as Keras counts it."""
    from keras_tutorial.ch01 import build_model

    return (build_model(64).count_params(), build_model(1024).count_params())


@pytest.mark.parametrize(("exercise", "answer", "words"), WRONG)
def test_a_typical_mistake_gets_a_hint_that_names_it(exercise, answer, words, capsys):
    assert check(exercise, answer) is False
    out = capsys.readouterr().out
    assert out.startswith(f"✗ {exercise}: "), out
    assert words in out, out


def test_every_chapter_1_checker_has_wrong_answers():
    mine = {name for name in checkers() if name.startswith("ch01.")}
    assert mine == {"ch01.1", "ch01.3", "ch01.7"}
    assert {exercise for exercise, _, _ in WRONG} == mine


@pytest.mark.parametrize(
    "answer",
    [math.ceil(54_000 / 128), np.int64(422), 422.0, np.ceil(54_000 / 128), np.array(422)],
    ids=["int", "numpy int", "whole float", "np.ceil", "0-d array"],
)
def test_updates_per_epoch_right(answer, capsys):
    assert check("ch01.1", answer) is True
    assert capsys.readouterr().out.startswith("✓ ch01.1: ")


def test_parameter_counts_right_as_keras_counts_them(capsys):
    counts = reference_parameter_counts()
    assert check("ch01.3", counts) is True
    assert check("ch01.3", [np.int64(n) for n in counts]) is True
    assert check("ch01.3", np.array(counts, dtype=float)) is True
    out = capsys.readouterr().out
    assert out.count("✓ ch01.3: ") == 3


def test_dense_shapes_right_as_keras_computes_them(capsys):
    """练习 7: Dense(16) on (4, 28, 28), as a real layer gives it, in several forms."""
    import keras

    dense = keras.layers.Dense(16)
    output = dense(np.zeros((4, 28, 28), dtype="float32"))
    shapes = (tuple(output.shape), tuple(dense.kernel.shape))
    assert check("ch01.7", shapes) is True
    assert check("ch01.7", [list(shapes[0]), np.array(shapes[1])]) is True
    assert capsys.readouterr().out.count("✓ ch01.7: ") == 2
