"""Checkers for chapter 5's exercises (the chain rule through relu, the softmax cross-entropy
gradient p − y)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from keras_tutorial.exercises import Hint, checker
from keras_tutorial.exercises.ch04 import _one_number


@checker("ch05.1")
def _dead_relu_gradient(answer: Any) -> str:
    value = _one_number(answer)
    if math.isclose(value, 0.0, abs_tol=1e-9):
        return "对：z = 0.25 × 2 − 1 = −0.5 < 0，relu 在这里的导数是 0，梯度传不过去，w 不动。"
    for wrong, hint in (
        (-12.0, "z = 0.25 × 2 − 1 < 0：中间那一环 ∂a/∂z = [z > 0] 是 0，别漏了它。"),
        (-14.0, "a = relu(z)，z < 0 时 a = 0，不是 z；而且 relu 在这里的导数 [z > 0] 是 0。"),
        (-6.0, "2(a − t) = −6 只是第一环 ∂L/∂a；还要乘 ∂a/∂z 和 ∂z/∂w。"),
        (-4.0, "这是 5.1 节 w = 1.5 时的结果；w = 0.25 时 z 变了，先重新算 z。"),
    ):
        if math.isclose(value, wrong, rel_tol=1e-6):
            raise Hint(hint)
    raise Hint("按 ∂L/∂a · ∂a/∂z · ∂z/∂w 逐环算：先算 z = wx + b，看它是正是负。")


_LOGITS = np.array([2.0, 1.0, 0.1])
_LABEL = 0


def _numbers(answer: Any) -> np.ndarray:
    """The answer as a float vector (list, tuple, array, or one row of a (1, 3) array)."""
    if isinstance(answer, str | dict | set) or answer is None:
        raise Hint(f"答案应当是 3 个数（列表或 NumPy 数组），收到的是 {type(answer).__name__}。")
    try:
        array = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        raise Hint(
            f"答案应当是 3 个数（列表或 NumPy 数组），收到的是 {type(answer).__name__}。"
        ) from None
    if array.size != 3:
        raise Hint(f"原始分数有 3 个，导数也是 3 个数；收到的有 {array.size} 个。")
    return array.reshape(3)


@checker("ch05.2")
def _softmax_cross_entropy_gradient(answer: Any) -> str:
    grad = _numbers(answer)
    p = np.exp(_LOGITS - _LOGITS.max())
    p /= p.sum()
    y = np.eye(3)[_LABEL]

    def near(want: np.ndarray) -> bool:
        return bool(np.allclose(grad, want, rtol=0, atol=6e-4))  # three decimals are enough

    if near(p - y):
        return "对：∂L/∂z = p − y，正确类别那一项是 p₀ − 1 < 0，其余是 p₁、p₂；三个数加起来是 0。"
    if near(p):
        raise Hint("这是概率 p；还要减去独热标签 y：正确类别 c = 0 那一项减 1。")
    if near(y - p):
        raise Hint("符号反了：导数是 p − y，不是 y − p。")
    if any(near(p - np.eye(3)[k]) for k in range(3) if k != _LABEL):
        raise Hint("独热标签的 1 要放在正确类别 c = 0 的位置。")
    if near(_LOGITS / _LOGITS.sum() - y):
        raise Hint("p 要用 softmax 算：p_k = e^{z_k} / Σ_j e^{z_j}，不是 z_k / Σ_j z_j。")
    raise Hint("先用 softmax 算出三个概率 p，再减去独热标签 y（正确类别那一项减 1）。")
