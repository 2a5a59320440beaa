"""Chapter 3's checkers: the reference answers pass, typical mistakes get a hint that names them."""

from __future__ import annotations

import math

import numpy as np
import pytest
from helpers import hint_of

from keras_tutorial.exercises import NOT_ANSWERED, check, checkers


def sigmoid(x):
    """The reference answer to 练习 1."""
    if x.ndim != 2:
        raise ValueError(f"naive_sigmoid 需要矩阵，收到 {x.shape}")
    z = np.zeros(x.shape)
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            z[i, j] = 1 / (1 + math.exp(-x[i, j]))
    return z


def sigmoid_keeps_input_dtype(x):
    # The bug chapter 3 had: the result takes x's dtype, so an integer matrix gives 0s and 1s.
    if x.ndim != 2:
        raise ValueError(f"{x.shape}")
    x = x.copy()
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            x[i, j] = 1 / (1 + math.exp(-x[i, j]))
    return x


def sigmoid_float32(x):
    """Right, computed in float32: accepted."""
    if x.ndim != 2:
        raise ValueError(f"{x.shape}")
    return (1 / (1 + np.exp(-x.astype("float32")))).tolist()  # and as a list of rows


def sigmoid_in_place(x):
    if x.ndim != 2:
        raise ValueError(f"{x.shape}")
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            x[i, j] = 1 / (1 + math.exp(-x[i, j]))
    return x


def sigmoid_wrong_sign(x):
    if x.ndim != 2:
        raise ValueError(f"{x.shape}")
    return 1 / (1 + np.exp(x))


def sigmoid_unchecked(x):
    return 1 / (1 + np.exp(-x))  # right values, but a vector or a rank-3 tensor passes


def sigmoid_loop_unchecked(x):
    z = np.zeros((x.shape[0], x.shape[1]))  # a vector has no axis 1: IndexError, not ValueError
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            z[i, j] = 1 / (1 + math.exp(-x[i, j]))
    return z


def sigmoid_too_strict(x):
    if x.ndim != 2 or x.shape[0] < 2:
        raise ValueError(f"{x.shape}")
    return 1 / (1 + np.exp(-x))


def relu_instead(x):
    if x.ndim != 2:
        raise ValueError(f"{x.shape}")
    return np.maximum(x, 0)


def add_column(x, y):
    """The reference answer to 练习 2."""
    if x.ndim != 2 or y.shape != (x.shape[0], 1):
        raise ValueError(f"{x.shape} {y.shape}")
    z = np.zeros(x.shape, dtype=np.result_type(x, y))
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            z[i, j] = x[i, j] + y[i, 0]
    return z


def add_column_keeps_x_dtype(x, y):
    if x.ndim != 2 or y.shape != (x.shape[0], 1):
        raise ValueError(f"{x.shape} {y.shape}")
    x = x.copy()  # an integer x truncates the fractions of y
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            x[i, j] += y[i, 0]
    return x


def add_column_broadcasting_rule(x, y):
    # Accepts what broadcasting accepts, (1, 1) included; the exercise asks for (n, 1) only.
    if x.ndim != 2 or y.ndim != 2 or y.shape[1] != 1 or y.shape[0] not in (1, x.shape[0]):
        raise ValueError(f"{x.shape} {y.shape}")
    return x + y


def add_column_row_rule(x, y):
    # The rule of naive_add_matrix_and_vector: compares the wrong axis.
    if x.ndim != 2 or y.ndim != 2 or x.shape[1] != y.shape[0]:
        raise ValueError(f"{x.shape} {y.shape}")
    return x + y


def add_column_any_width(x, y):
    if x.ndim != 2 or y.ndim != 2 or y.shape[0] != x.shape[0]:  # forgets y has one column
        raise ValueError(f"{x.shape} {y.shape}")
    return x + y[:, :1]


def add_column_any_rank_x(x, y):
    if y.shape != (x.shape[0], 1):  # forgets to check that x is a matrix
        raise ValueError(f"{x.shape} {y.shape}")
    return x + y[(...,) + (None,) * (x.ndim - 2)]


def add_column_wrong_index(x, y):
    if x.ndim != 2 or y.shape != (x.shape[0], 1):
        raise ValueError(f"{x.shape} {y.shape}")
    x = x.copy()
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            x[i, j] += y[j, 0]  # j instead of i
    return x


def add_column_first_only(x, y):
    if x.ndim != 2 or y.shape != (x.shape[0], 1):
        raise ValueError(f"{x.shape} {y.shape}")
    x = x.copy()
    x[:, 0] += y[:, 0]  # only the first column
    return x


BROADCAST = [(8, 7, 6, 5), "error", (2, 5, 3)]
DOTS = [(4, 2, 4, 5), (4, 2, 5), "error"]

# (exercise, wrong answer, words the hint must contain)
WRONG = [
    ("ch03.1", 3.0, "函数"),
    ("ch03.1", sigmoid_in_place, "改动了传进来的数组"),
    ("ch03.1", sigmoid_wrong_sign, "符号反了"),
    ("ch03.1", sigmoid_unchecked, "没有报错"),
    ("ch03.1", sigmoid_loop_unchecked, "不是 ValueError"),
    ("ch03.1", sigmoid_too_strict, "本该能算"),
    ("ch03.1", relu_instead, "1 / (1 + exp(-x[i, j]))"),
    ("ch03.1", sigmoid_keeps_input_dtype, "小数部分被截掉"),
    ("ch03.2", add_column_keeps_x_dtype, "小数部分被截掉"),
    ("ch03.2", add_column_broadcasting_rule, "(n, 1)"),
    ("ch03.2", add_column_row_rule, "本该能算"),
    ("ch03.2", add_column_any_width, "y 有两列"),
    ("ch03.2", add_column_any_rank_x, "x 是一阶的向量"),
    ("ch03.2", add_column_wrong_index, "下标"),
    ("ch03.2", add_column_first_only, "x[i, j] + y[i, 0]"),
    ("ch03.3", [(8, 7, 6, 5), (3, 4), (2, 5, 3)], "不能广播"),
    ("ch03.3", [(8, 1, 6, 5), "error", (2, 5, 3)], "拉伸"),
    ("ch03.3", [(8, 7, 6, 5), "error", "error"], "可以广播"),
    ("ch03.3", [(7, 6, 5), "error", (2, 5, 3)], "较大的阶"),
    ("ch03.3", [(8, 7, 6, 5), "error", (2, 3, 5)], "右对齐"),
    ("ch03.3", (8, 7, 6, 5), "3 个答案"),
    ("ch03.3", [(8, 7, 6, 5), "no", (2, 5, 3)], '"error"'),
    ("ch03.3", [(8, 7, 6, 5), None, (2, 5, 3)], "第 2 个答案还没有写"),
    ("ch03.4", [(4, 2, 5), (4, 2, 4, 5), "error"], "写反了"),
    ("ch03.4", [(4, 2, 5), (4, 2, 5), "error"], "其余的轴"),
    ("ch03.4", ["error", (4, 2, 5), "error"], "np.dot(x, y) 能算"),
    ("ch03.4", [(4, 2, 4, 5), (4, 2, 4, 5), "error"], "编号"),
    ("ch03.4", [(4, 2, 4, 5), "error", "error"], "编号相同"),
    ("ch03.4", [(4, 2, 4, 5), (4, 2, 5), (4, 2, 5)], "逐元素"),
]

RIGHT = [
    ("ch03.1", sigmoid),
    ("ch03.1", sigmoid_float32),
    ("ch03.2", add_column),
    ("ch03.3", BROADCAST),
    ("ch03.3", (list(BROADCAST[0]), " Error ", np.array(BROADCAST[2]).tolist())),
    # NumPy integers, integral floats (np.ceil gives floats), a 1-D array of the numbers
    ("ch03.3", [tuple(np.int64(n) for n in BROADCAST[0]), "error", np.array(BROADCAST[2])]),
    ("ch03.3", [[8.0, 7.0, 6.0, 5.0], "error", np.ceil(np.array([1.5, 4.2, 2.7]))]),
    ("ch03.4", DOTS),
    ("ch03.4", tuple(DOTS[:2]) + ("ERROR",)),
    ("ch03.4", [np.array(DOTS[0]), list(map(float, DOTS[1])), "Error"]),
]

# Near misses in another form are still refused, with the hint of the mistake.
WRONG += [
    ("ch03.3", [(8.0, 7.0, 6.0, 5.5), "error", (2, 5, 3)], "整数元组"),
    ("ch03.3", [np.ones((8, 7, 6, 5)), "error", (2, 5, 3)], ".shape"),
    ("ch03.4", [np.array([4, 2, 5]), (4, 2, 5), "error"], "其余的轴"),
]


@pytest.mark.parametrize(("exercise", "answer", "words"), WRONG)
def test_a_typical_mistake_gets_a_hint_that_names_it(exercise, answer, words, capsys):
    assert words in hint_of(exercise, answer, capsys)


@pytest.mark.parametrize(("exercise", "answer"), RIGHT)
def test_the_reference_answer_passes(exercise, answer, capsys):
    assert check(exercise, answer) is True
    assert capsys.readouterr().out.startswith(f"✓ {exercise}: ")


def test_the_reference_functions_are_not_changed_by_being_checked(capsys):
    # The checker calls them on copies; a learner's later use of them is unaffected.
    x = np.array([[0.0, 1.0]])
    check("ch03.1", sigmoid)
    np.testing.assert_allclose(sigmoid(x), [[0.5, 1 / (1 + math.exp(-1))]])


@pytest.mark.parametrize("exercise", ["ch03.1", "ch03.2"])
def test_an_unwritten_function_is_not_answered(exercise, capsys):
    def placeholder(*args): ...

    assert check(exercise, placeholder) is False
    assert NOT_ANSWERED in capsys.readouterr().out


# Every input shape the exercises say must be refused, written here independently of the checkers.
MUST_REFUSE = {
    "ch03.1": [[()], [(4,)], [(2, 3, 4)], [(1, 2, 3, 4)]],
    "ch03.2": [
        [(3, 4), (4, 1)],
        [(3, 4), (2, 1)],
        [(3, 4), (1, 1)],
        [(3, 4), (3, 2)],
        [(3, 4), (3,)],
        [(3, 4), ()],
        [(3, 4), (3, 1, 1)],
        [(3,), (3, 1)],
        [(3, 4, 2), (3, 1)],
    ],
}
REFERENCE = {"ch03.1": sigmoid, "ch03.2": add_column}


def leaky(exercise: str, shapes: list[tuple[int, ...]]):
    """The reference answer with one hole in its shape check: these shapes get a result."""
    right = REFERENCE[exercise]

    def fn(*args):
        if [arg.shape for arg in args] == shapes:
            return np.zeros(args[0].shape)
        return right(*args)

    return fn


@pytest.mark.parametrize(
    ("exercise", "shapes"),
    [(exercise, shapes) for exercise, cases in MUST_REFUSE.items() for shapes in cases],
    ids=str,
)
def test_a_function_that_refuses_all_shapes_but_one_is_caught(exercise, shapes, capsys):
    assert "没有报错" in hint_of(exercise, leaky(exercise, shapes), capsys)


def test_every_checker_of_chapter_3_has_wrong_answers_here():
    mine = {name for name in checkers() if name.startswith("ch03.")}
    assert mine == {exercise for exercise, _, _ in WRONG}
