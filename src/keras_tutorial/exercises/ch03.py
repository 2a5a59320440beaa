"""Checkers for chapter 3's exercises (scripts/ch03_tensor_operations.py, ## 练习)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from keras_tutorial.exercises import Hint, NotAnswered, as_array, as_shape, call, checker

#: How a learner writes "these shapes do not broadcast / this cannot be computed".
ERROR = "error"


#: Shapes each function must refuse with ValueError: every rank but a matrix, and for 练习 2 every
#: way y can differ from (n, 1). A checker that tried only some would pass a learner's function
#: whose shape check forgets the others. (x's shapes, y's shapes, what is wrong, for the hint.)
SIGMOID_REFUSES: list[tuple[tuple[int, ...], str]] = [
    ((), "零阶的标量"),
    ((4,), "一阶的向量"),
    ((2, 3, 4), "三阶张量"),
    ((1, 2, 3, 4), "四阶张量"),
]
ADD_COLUMN_REFUSES: list[tuple[tuple[int, ...], tuple[int, ...], str]] = [
    ((3, 4), (4, 1), "y 的行数与 x 的不同，却等于 x 的列数"),
    ((3, 4), (2, 1), "y 的行数少了一行"),
    ((3, 4), (1, 1), "y 只有一行：广播能算，但题目要的是 (n, 1)"),
    ((3, 4), (3, 2), "y 有两列"),
    ((3, 4), (3,), "y 是一阶的向量"),
    ((3, 4), (), "y 是零阶的标量"),
    ((3, 4), (3, 1, 1), "y 是三阶张量"),
    ((3,), (3, 1), "x 是一阶的向量"),
    ((3, 4, 2), (3, 1), "x 是三阶张量"),
]


def _matrices(seed: int, shapes: list[tuple[int, ...]], scale: float = 3.0) -> list[np.ndarray]:
    """Random float64 arrays the learner has not seen (fixed, so a hint is reproducible)."""
    rng = np.random.default_rng(seed)
    return [scale * rng.standard_normal(shape) for shape in shapes]


def _result(fn: Callable[..., Any], *args: np.ndarray) -> np.ndarray:
    """Call the learner's function on copies; a Hint if it changes its arguments."""
    copies = [arg.copy() for arg in args]
    try:
        got = as_array(call(fn, *copies))
    except ValueError as exc:
        shapes = " 和 ".join(str(arg.shape) for arg in args)
        raise Hint(
            f"收到 {shapes} 本该能算，却抛出了 ValueError（{exc}）：形状检查太严或比错了轴。"
        ) from None
    except (Hint, NotAnswered):
        raise
    except Exception as exc:  # an IndexError in the loop, say: name the shapes it happened on
        shapes = " 和 ".join(str(arg.shape) for arg in args)
        raise Hint(
            f"收到 {shapes} 时你的函数出错了（{type(exc).__name__}: {exc}）：检查循环里的下标。"
        ) from None
    for arg, copy in zip(args, copies, strict=True):
        if not np.array_equal(arg, copy):
            raise Hint("你的函数改动了传进来的数组：像 naive_relu 那样，把结果写进一个新数组。")
    return got


def _must_refuse(fn: Callable[..., Any], args: list[np.ndarray], what: str) -> None:
    """The learner's function must raise ValueError for these shapes."""
    shapes = " 和 ".join(str(arg.shape) for arg in args)
    try:
        fn(*args)
    except ValueError:
        return
    except Exception as exc:  # IndexError and the like: the loop ran into the wrong shape
        raise Hint(
            f"收到 {shapes}（{what}）时抛出的是 {type(exc).__name__}，不是 ValueError："
            "在循环之前检查形状，不对就 raise ValueError(...)。"
        ) from None
    raise Hint(
        f"收到 {shapes}（{what}）时没有报错："
        "形状检查要同时看阶和每个轴的长度，不对就 raise ValueError。"
    )


def _compare(got: np.ndarray, want: np.ndarray, element: str) -> None:
    """Values as NumPy computes them; float32 arithmetic or another order of sums is fine."""
    if got.shape != want.shape:
        raise Hint(f"结果的形状是 {got.shape}，应当和输入一样是 {want.shape}。")
    if got.dtype.kind not in "biuf":
        raise Hint(f"结果应当是数，收到的数组类型是 {got.dtype}。")
    close = np.isclose(got, want, rtol=1e-6, atol=1e-9)
    if not close.all():
        if got.dtype.kind in "biu" and np.array_equal(got, np.trunc(want)):
            raise Hint(
                "结果的小数部分被截掉了：结果数组照搬了整数输入的类型。"
                "像 naive_add 那样，用 np.result_type 选结果的类型（sigmoid 的结果总是小数）。"
            )
        i, j = np.argwhere(~close)[0]
        raise Hint(
            f"第 ({i}, {j}) 个元素是 {got[i, j]:.6g}，应当是 {element}，即 {want[i, j]:.6g}。"
        )


@checker("ch03.1")
def naive_sigmoid(fn: Any) -> str:
    cases = _matrices(31, [(3, 5), (1, 1), (6, 2)])
    cases.append(np.array([[0.0, -20.0, 20.0], [0.5, -0.5, 1e-3]]))
    cases.append(np.array([[0, 1, -2], [3, -1, 2]]))  # an integer matrix: the result is fractional
    for x in cases:
        got = _result(fn, x)
        want = 1 / (1 + np.exp(-x))
        if got.shape == want.shape and np.allclose(got, 1 / (1 + np.exp(x))):
            raise Hint("符号反了：sigmoid 是 1 / (1 + exp(-t))，t 越大结果越接近 1。")
        _compare(got, want, "1 / (1 + exp(-x[i, j]))")
    for shape, what in SIGMOID_REFUSES:
        _must_refuse(fn, [np.zeros(shape)], what)
    return "在没见过的矩阵上与 1 / (1 + np.exp(-x)) 一致，没有改动输入，不是矩阵时抛出 ValueError。"


@checker("ch03.2")
def naive_add_column(fn: Any) -> str:
    for n, m in ((3, 4), (1, 5), (5, 1), (4, 2)):
        x, y = _matrices(32 + n, [(n, m), (n, 1)])
        got = _result(fn, x, y)
        _compare(got, x + y, "x[i, j] + y[i, 0]")
    x, y = np.arange(6).reshape(2, 3), np.array([[0.5], [-0.25]])  # integers plus fractions
    _compare(_result(fn, x, y), x + y, "x[i, j] + y[i, 0]")
    for x_shape, y_shape, what in ADD_COLUMN_REFUSES:
        _must_refuse(fn, [np.ones(x_shape), np.ones(y_shape)], what)
    return "与广播的 x + y 一致：y 唯一的一列被拉伸到 x 的每一列；形状不对时抛出 ValueError。"


def _answers(answer: Any, count: int, example: str) -> list[tuple[int, ...] | str]:
    """A list of ``count`` answers, each a shape or the string "error"."""
    if not isinstance(answer, list | tuple) or len(answer) != count:
        raise Hint(f"要写 {count} 个答案，放在一个列表里，例如 {example}。")
    if all(item is None or item is Ellipsis for item in answer):
        raise NotAnswered
    items: list[tuple[int, ...] | str] = []
    for k, item in enumerate(answer, start=1):
        if item is None or item is Ellipsis:
            raise Hint(f"第 {k} 个答案还没有写。")
        if isinstance(item, str):
            if item.strip().lower() != ERROR:
                raise Hint(f'第 {k} 个答案：不能算的写字符串 "{ERROR}"，能算的写形状元组。')
            items.append(ERROR)
        else:
            items.append(as_shape(item))  # check() has normalised NumPy ints, 8.0, arrays
    return items


# (the two shapes, the broadcast shape or ERROR)
BROADCAST_PAIRS = [
    ((8, 1, 6, 1), (7, 1, 5), (8, 7, 6, 5)),
    ((3, 4), (4, 1), ERROR),
    ((2, 1, 3), (5, 1), (2, 5, 3)),
]


def _broadcast_hint(k: int, a: tuple, b: tuple, got: tuple | str, want: tuple | str) -> None:
    pair = f"第 {k} 对 {a} 和 {b}"
    if want == ERROR:
        raise Hint(
            f"{pair}：右对齐后逐对比较，有一对长度既不相等、也没有 1，这样的两个形状不能广播。"
        )
    if got == ERROR:
        raise Hint(f"{pair} 可以广播：右对齐后每一对长度要么相等，要么其中一个是 1。")
    if len(got) != len(want):
        raise Hint(f"{pair}：结果的阶等于两者中较大的阶，短的那个在左边补长度为 1 的轴。")
    if any(g == 1 and w != 1 for g, w in zip(got, want, strict=True)):
        raise Hint(f"{pair}：长度为 1 的轴会被拉伸到另一方的长度，结果里不会留下它。")
    raise Hint(f"{pair}：先把两个形状右对齐（从最后一个轴开始），再逐对取较大的长度。")


@checker("ch03.3")
def broadcast_shapes(answer: Any) -> str:
    items = _answers(answer, len(BROADCAST_PAIRS), '[(2, 3), "error", (4,)]')
    for k, ((a, b, want), got) in enumerate(zip(BROADCAST_PAIRS, items, strict=True), start=1):
        if got != want:
            _broadcast_hint(k, a, b, got, want)
    return (
        "(8, 7, 6, 5)、error、(2, 5, 3)：右对齐，长度为 1 的轴被拉伸；"
        "(3, 4) 和 (4, 1) 倒数第二对是 3 和 4，不能广播。"
    )


#: x (4, 2, 3) and y (4, 3, 5): np.dot(x, y), x @ y, x * y.
DOT_ANSWERS: list[tuple[int, ...] | str] = [(4, 2, 4, 5), (4, 2, 5), ERROR]


@checker("ch03.4")
def dot_shapes(answer: Any) -> str:
    dot, matmul, product = _answers(answer, 3, '[(2, 3), (4,), "error"]')
    want_dot, want_matmul, want_product = DOT_ANSWERS
    if (dot, matmul) == (want_matmul, want_dot):
        raise Hint("前两个答案好像写反了：哪一个把最前面的轴当作一叠矩阵的编号？")
    if dot != want_dot:
        if dot == ERROR:
            raise Hint("np.dot(x, y) 能算：x 的最后一个轴和 y 的倒数第二个轴长度都是 3。")
        raise Hint(
            "np.dot(x, y)：x 的最后一个轴和 y 的倒数第二个轴相消，"
            "x 其余的轴和 y 其余的轴按顺序都保留在结果里。"
        )
    if matmul != want_matmul:
        if matmul == ERROR:
            raise Hint("x @ y 能算：两边最前面的轴都是 4，编号相同的矩阵 (2, 3) 和 (3, 5) 相乘。")
        raise Hint("x @ y：最后两个轴当作矩阵相乘，前面的轴是编号，编号相同的矩阵各乘各的。")
    if product != want_product:
        raise Hint("x * y 是逐元素相乘：按广播规则把两个形状右对齐，逐对比较。")
    return "np.dot 得 (4, 2, 4, 5)，x @ y 得 (4, 2, 5)，x * y 不能广播（最后一对是 3 和 5）。"
