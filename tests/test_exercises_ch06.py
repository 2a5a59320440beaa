"""Chapter 6's exercise checkers: right answers in any reasonable form pass, typical mistakes get a
pointed hint."""

from __future__ import annotations

import math

import numpy as np
import pytest
from helpers import hint_of

from keras_tutorial.exercises import check


def weighted(grads, sizes):
    return sum(n * g for n, g in zip(sizes, grads, strict=True)) / sum(sizes)


def plain_mean(grads, sizes):
    return np.mean(grads, axis=0)


def weighted_sum(grads, sizes):
    return sum(n * g for n, g in zip(sizes, grads, strict=True))


def divided_by_devices(grads, sizes):
    return sum(n * g for n, g in zip(sizes, grads, strict=True)) / len(sizes)


def flattened(grads, sizes):
    return weighted(grads, sizes).ravel()


@pytest.mark.parametrize(
    ("exercise", "answer"),
    [
        ("ch06.1", 256),
        ("ch06.1", np.int64(256)),
        ("ch06.1", 256.0),
        ("ch06.2", 235),
        ("ch06.2", np.ceil(60000 / 256)),
        ("ch06.2", math.ceil(60000 / 256)),
        ("ch06.3", 0.08),
        ("ch06.3", 0.01 * 8),
        ("ch06.3", np.float32(0.08)),
        ("ch06.4", weighted),
    ],
)
def test_right_answers_pass(exercise, answer, capsys):
    assert check(exercise, answer) is True, capsys.readouterr().out


@pytest.mark.parametrize(
    ("exercise", "answer", "hint"),
    [
        ("ch06.1", 64, "每块设备"),
        ("ch06.1", 16, "要乘"),
        ("ch06.1", 255, "全局批量"),
        ("ch06.2", 234, "最后"),
        ("ch06.2", 469, "128"),
        ("ch06.2", 938, "每块设备"),
        ("ch06.2", 234.375, "整数"),
        ("ch06.3", 0.01, "几倍"),
        ("ch06.3", 0.00125, "反了"),
        ("ch06.3", 0.01 * math.sqrt(8), "平方根"),
        ("ch06.3", 0.04, "倍数"),
        ("ch06.4", plain_mean, "加权"),
        ("ch06.4", weighted_sum, "总样本数"),
        ("ch06.4", divided_by_devices, "结果不对"),
        ("ch06.4", flattened, "形状"),
    ],
)
def test_typical_wrong_answers_get_a_hint(exercise, answer, hint, capsys):
    assert hint in hint_of(exercise, answer, capsys)
