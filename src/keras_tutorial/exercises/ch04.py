"""Checkers for chapter 4's exercises (learning-rate limits, counting updates, AdaGrad)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from keras_tutorial.exercises import Hint, call, checker


def _one_number(answer: Any) -> float:
    """A single real number however written: int, float, a NumPy scalar, or an array or list
    holding exactly one number. A Hint for anything else."""
    if isinstance(answer, list | tuple | np.ndarray):
        array = np.asarray(answer)
        if array.size != 1 or array.dtype.kind not in "iuf":
            raise Hint(
                f"答案应当是一个数，收到的是含 {array.size} 个元素的 {type(answer).__name__}。"
            )
        answer = array.reshape(()).item()
    if isinstance(answer, bool) or not isinstance(answer, int | float | np.integer | np.floating):
        raise Hint(f"答案应当是一个数，收到的是 {type(answer).__name__}：{answer!r}。")
    return float(answer)


def _number(answer: Any) -> float:
    """A learning rate: a positive finite number, written any of the ways :func:`_one_number`
    accepts."""
    value = _one_number(answer)
    if not math.isfinite(value) or value <= 0:
        raise Hint(f"学习率是一个正数，收到的是 {answer!r}。")
    return value


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


@checker("ch04.1")
def _lr_limit_parabola(answer: Any) -> str:
    lr = _number(answer)
    if _close(lr, 1.0):
        return (
            "对：|1 − 2η| < 1 要求 0 < η < 1；η = 1 时 w 在 4 和 −4 之间来回跳，既不收敛也不发散。"
        )
    if _close(lr, 0.5):
        raise Hint("η = 0.5 时 1 − 2η = 0，一步就到 0：这是最快的学习率，不是上界。")
    if _close(lr, 2.0):
        raise Hint("f(w) = w² 的导数是 2w，每步乘的是 (1 − 2η)，不是 (1 − η)。")
    if lr > 1.0:
        raise Hint("这个学习率会发散：在 4.3 节的循环里用它走 12 步，看 |w| 怎么变。")
    if lr > 0.9:
        raise Hint("很接近了。题目问的是上界本身：η 等于它时 |1 − 2η| 正好等于 1。")
    raise Hint("这个学习率收敛，但比它大的学习率也收敛。找出 |1 − 2η| < 1 成立的边界。")


@checker("ch04.2")
def _lr_limit_bowl(answer: Any) -> str:
    lr = _number(answer)
    if _close(lr, 0.2):
        return "对：|1 − η| < 1 要求 η < 2，|1 − 10η| < 1 要求 η < 0.2；最陡的方向决定上界。"
    if _close(lr, 2.0):
        raise Hint("这只让 w₁ 方向收敛；w₂ 每步乘 (1 − 10η)，更陡的方向先发散。")
    if _close(lr, 0.1):
        raise Hint("η = 0.1 时 1 − 10η = 0，w₂ 一步到 0：这是 w₂ 最快的学习率，不是上界。")
    if _close(lr, 1.0):
        raise Hint("这是练习 1 的答案。碗在 w₂ 方向的导数是 10 w₂，每步乘的是 (1 − 10η)。")
    if lr > 0.2:
        raise Hint("这个学习率会发散：4.4 节的第三张图（学习率 0.205）就是一个例子。")
    raise Hint("这个学习率收敛，但比它大的也收敛。分别写出两个方向收敛的条件，取更严的那个。")


@checker("ch04.3")
def _update_count(answer: Any) -> str:
    value = _one_number(answer)
    if not value.is_integer():
        raise Hint(f"更新次数应当是一个整数，收到的是 {answer!r}。")
    updates = int(value)
    epochs, per_epoch = 5, math.ceil(54000 / 256)
    if updates == epochs * per_epoch:
        return (
            f"对：60000 × 0.9 = 54000 张，每轮 ⌈54000 / 256⌉ = {per_epoch} 批，5 轮 {updates} 次。"
        )
    if updates == epochs * (54000 // 256):
        raise Hint("54000 不能被 256 整除：最后那批不满 256 张，也要更新一次。")
    if updates in (epochs * math.ceil(60000 / 256), epochs * (60000 // 256)):
        raise Hint("validation_split=0.1 留出的 10% 图片不参与训练，只有 54000 张用于更新。")
    if updates == per_epoch:
        raise Hint("这是一轮的批数；一共训练 5 轮。")
    if updates == epochs * math.ceil(54000 / 128):
        raise Hint("这是批大小 128 时的次数（4.1 节）；题目的批大小是 256。")
    raise Hint("按 4.1 节算：参与训练的张数 ÷ 批大小（向上取整）= 每轮批数，再乘轮数。")


def _adagrad(w: np.ndarray, g: np.ndarray, s: np.ndarray, lr: float, eps: float = 1e-7):
    s = s + g**2
    return w - lr * g / np.sqrt(s + eps), s


@checker("ch04.4")
def _adagrad_step(fn: Any) -> str:
    rng = np.random.default_rng(404)
    # Small gradients make s comparable to epsilon, so where epsilon goes shows in the result.
    for shape, scale, lr in (((3, 4), 1.0, 0.05), ((6,), 1e-4, 0.3), ((2, 2), 1e-4, 0.1)):
        w = rng.normal(size=shape)
        s = np.zeros(shape)
        for _ in range(3):
            g = scale * rng.normal(size=shape)
            inputs = (w.copy(), g.copy(), s.copy())
            result = call(fn, *inputs, lr)
            if not isinstance(result, tuple | list) or len(result) != 2:
                raise Hint("要返回两个值：(新的 w, 新的 s)，照 rmsprop_step 的 return 写。")
            if any(not np.array_equal(a, b) for a, b in zip(inputs, (w, g, s), strict=True)):
                raise Hint("不要原地修改传入的数组（如 s += ...）：写成 s = s + ...，返回新数组。")
            new_w, new_s = (np.asarray(r, dtype=float) for r in result)
            if new_w.shape != shape or new_s.shape != shape:
                raise Hint(f"w 的形状是 {shape}，返回的是 {new_w.shape} 和 {new_s.shape}。")
            want_w, want_s = _adagrad(w, g, s, lr)
            if not np.allclose(new_s, want_s, rtol=1e-6, atol=0):
                if np.allclose(new_s, 0.9 * s + 0.1 * g**2, rtol=1e-6, atol=0):
                    raise Hint("这是 RMSprop 的滑动平均；AdaGrad 把 g² 直接加到 s 上，不乘 ρ。")
                if np.allclose(new_s, s + g, rtol=1e-6, atol=0):
                    raise Hint("s 累加的是梯度的平方 g²，不是 g。")
                raise Hint("新的 s 不对：应当是 s + g²。")
            if not np.allclose(new_w, want_w, rtol=1e-6, atol=1e-12):
                if np.allclose(new_w, w - lr * g / (np.sqrt(want_s) + 1e-7), rtol=1e-6):
                    raise Hint("ε 要加在根号里面：√(s + ε)，和 Keras 的 RMSprop 一样。")
                if np.allclose(new_w, w - lr * g / np.sqrt(s + 1e-7), rtol=1e-6):
                    raise Hint("更新 w 时要用新算出的 s（先累加 g²，再除）。")
                if np.allclose(new_w, w + lr * g / np.sqrt(want_s + 1e-7), rtol=1e-6):
                    raise Hint("方向反了：梯度下降朝梯度的反方向走，是 w − ...。")
                raise Hint("新的 w 不对：应当是 w − η·g / √(s + ε)，s 用新算出的值。")
            w, s = want_w, want_s
    try:
        fn(np.zeros((2, 3)), np.zeros((3, 2)), np.zeros((2, 3)), 0.1)
    except ValueError:
        pass
    else:
        raise Hint("w 是 (2, 3)、g 是 (3, 2) 时应当报 ValueError；不要用 reshape 或转置去凑形状。")
    return "对：在没见过的数组上连续三步都与公式一致（小梯度时 ε 的位置也对），形状不符时报错。"
