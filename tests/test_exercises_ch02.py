"""Chapter 2's checkers: the reference answers pass, typical mistakes get a hint that names them."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import hint_of

from keras_tutorial.exercises import check, checkers

MIB = 2**20
VIDEO = 10 * 30 * 1080 * 1920 * 3  # elements in 练习 5's video


@pytest.fixture
def train_images(mnist_path, monkeypatch):
    monkeypatch.setenv("MNIST_PATH", str(mnist_path))
    with np.load(mnist_path) as data:
        return data["x_train"]


# (exercise, wrong answer, words the hint must contain). 练习 2's answers need the real images.
WRONG = [
    ("ch02.1", (60000, 14, 14), "步长"),
    ("ch02.1", (20000, 14, 14), "下标 0 到 99"),
    ("ch02.1", (33, 14, 14), "下标 0 也算"),
    ("ch02.1", (35, 14, 14), "差了一个"),
    ("ch02.1", (34, 28, 28), "只剩一半"),
    ("ch02.1", (34, 14), "2 个轴"),
    ("ch02.3", (234, 96), "最后那一批"),
    ("ch02.3", (234.375, 96), "整数"),
    ("ch02.3", (236, 96), "多算了一批"),
    ("ch02.3", (469, 96), "128"),
    ("ch02.3", (235, 256), "不满 256"),
    ("ch02.3", (235, 160), "少的张数"),
    ("ch02.3", 235, "两个数"),
    ("ch02.4", (365, 3, 144), "顺序不对"),
    ("ch02.4", (144, 365, 3), "顺序不对"),
    ("ch02.4", (365, 24, 3), "小时"),
    ("ch02.4", (365, 1440, 3), "分钟"),
    ("ch02.4", (365, 143, 3), "差了一个"),
    ("ch02.4", (365 * 144, 3), "时间步要单独占一个轴"),
    ("ch02.5", (VIDEO / 1e6, 4 * VIDEO / 1e6), "MB"),
    ("ch02.5", (VIDEO, 4 * VIDEO), "字节数"),
    ("ch02.5", (4 * VIDEO / MIB, VIDEO / MIB), "顺序反了"),
    ("ch02.5", (VIDEO / MIB, 8 * VIDEO / MIB), "float64"),
    ("ch02.5", (VIDEO / MIB, VIDEO / MIB), "4 字节"),
    ("ch02.5", (VIDEO / MIB / 3, 4 * VIDEO / MIB / 3), "通道"),
    ("ch02.5", (VIDEO / MIB / 30, 4 * VIDEO / MIB / 30), "帧数"),
    ("ch02.5", (4 * VIDEO / MIB, 4 * VIDEO / MIB), "1 字节"),
    ("ch02.6", (4, 7), "词表"),
    ("ch02.6", (3, 6), "加句子之前"),
    ("ch02.6", (6, 4), "顺序反了"),
    ("ch02.6", (4, 6, 1), "时间轴"),
]

RIGHT = [
    ("ch02.1", (34, 14, 14)),
    ("ch02.1", [34, 14, 14]),
    ("ch02.3", (235, 96)),
    ("ch02.3", [np.int64(235), np.int64(96)]),
    ("ch02.4", (365, 144, 3)),
    ("ch02.5", (VIDEO / MIB, 4 * VIDEO / MIB)),
    ("ch02.5", (1779.8, 7119.1)),  # rounded to one decimal, as a learner prints them
    ("ch02.6", (4, 6)),
]


@pytest.mark.parametrize(("exercise", "answer", "words"), WRONG)
def test_a_typical_mistake_gets_a_hint_that_names_it(exercise, answer, words, capsys):
    assert words in hint_of(exercise, answer, capsys)


@pytest.mark.parametrize(("exercise", "answer"), RIGHT)
def test_the_reference_answer_passes(exercise, answer, capsys):
    assert check(exercise, answer) is True
    assert capsys.readouterr().out.startswith(f"✓ {exercise}: ")


def corner_mistakes(images):
    first = images[:8]
    return [
        (first[:, :14, 14:], "右上角"),
        (first[:, 14:, 14:], "右下角"),
        (first[:, 7:21, 7:21], "中间"),
        (images[1:9, :14, :14], "下标从 0 开始"),
        (first[:, :14, :14].astype("float64"), "float64"),
        (first[:, :14, :14] / 255, "缩放"),
        (first[:, :14, :14].transpose(0, 2, 1), "转置"),
        (first[:, :14, :13], "`a:b` 取 b − a 个"),
        (first[:, :14], "只切了一个轴"),
        (first, "没切"),
        (images[:, :14, :14], "前 8 张"),
        (images[:5, :14, :14], "8 张"),
        (images[0, :14, :14], "一张图"),
        (np.zeros((8, 14, 14), dtype="uint8"), "train_images"),
    ]


def test_slicing_mistakes_on_real_images_get_hints(train_images, capsys):
    for answer, words in corner_mistakes(train_images):
        assert words in hint_of("ch02.2", answer, capsys), words


def test_the_top_left_corners_pass(train_images, capsys):
    assert check("ch02.2", train_images[:8, :14, :14]) is True
    assert "uint8" in capsys.readouterr().out
    assert check("ch02.2", train_images[:8, :14, :14].tolist()) is False  # a list loses the dtype


def test_every_checker_of_chapter_2_has_wrong_answers_here():
    mine = {name for name in checkers() if name.startswith("ch02.")}
    covered = {exercise for exercise, _, _ in WRONG} | {"ch02.2"}
    assert mine == covered
