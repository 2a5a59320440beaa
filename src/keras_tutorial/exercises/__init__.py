"""Checkers for the chapters' exercises (练习): ``check("ch02.3", answer)``.

A learner writes an answer in the cell under an exercise and runs ``check``. It prints ``✓`` and one
line on why the answer is right, or ``✗`` and a hint in Chinese that points at the mistake without
giving the answer away, and returns True or False. An unanswered exercise (``None``, ``...``, a
function whose body is still ``...``) gets :data:`NOT_ANSWERED`; nothing a learner passes
ends in a traceback. A right answer is right however it is written: :func:`normalise` turns NumPy
numbers, integral floats (``np.ceil(...)``), lists and one-axis arrays of numbers into the plain
Python ints, floats and tuples the checkers compare, before any checker sees the answer.

Each chapter's checkers live in ``exercises/chNN.py`` and register themselves with
:func:`checker`. Exercises without a definite answer (experiments) have no checker: their answers
are in ``notebooks/chNN_answers.ipynb``.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import Any

import numpy as np

NOT_ANSWERED = "还没有作答：填好答案后再运行这一格"


class Hint(Exception):
    """Raised by a checker: the answer is wrong, and this (Chinese) message says where to look."""


class NotAnswered(Exception):
    """Raised by a checker when the answer is still the placeholder."""


Checker = Callable[[Any], str]
_CHECKERS: dict[str, Checker] = {}


def checker(exercise: str) -> Callable[[Checker], Checker]:
    """Register ``fn`` as the checker of ``exercise`` ("ch02.3" = chapter 2, 练习 3).

    ``fn(answer)`` returns one line on why a right answer is right, or raises :class:`Hint`.
    """

    def register(fn: Checker) -> Checker:
        if exercise in _CHECKERS:
            raise ValueError(f"two checkers for {exercise}")
        _CHECKERS[exercise] = fn
        return fn

    return register


def _load_all() -> None:
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")


def checkers() -> dict[str, Checker]:
    """Every registered checker, by exercise id."""
    _load_all()
    return dict(sorted(_CHECKERS.items()))


def check(exercise: str, answer: Any) -> bool:
    """Check ``answer`` to ``exercise``; print ✓ and why, or ✗ and a hint. True when right."""
    found = checkers().get(exercise)
    if found is None:
        print(
            f"? {exercise}: 这道题没有自动检查（或编号写错了），参考答案在 answers notebook 里。"
            f" / no checker for {exercise}: see the answers notebook."
        )
        return False
    try:
        if answer is None or answer is Ellipsis:
            raise NotAnswered
        why = found(normalise(answer))
    except NotAnswered:
        print(f"… {exercise}: {NOT_ANSWERED}")
        return False
    except Hint as hint:
        print(f"✗ {exercise}: {hint}")
        return False
    except Exception as exc:  # a learner's answer must never end in a traceback
        print(
            f"✗ {exercise}: 检查时出错（{type(exc).__name__}: {exc}）。"
            "看看答案的类型和形状是否符合题目要求。"
        )
        return False
    print(f"✓ {exercise}: {why}")
    return True


def answered(*values: Any) -> bool:
    """True once every value is filled in; else print :data:`NOT_ANSWERED` and return False.

    An experiment under an exercise (training a model, say) runs inside ``if answered(x):``, so
    that it runs when the learner fills in ``x`` and runs the cell, never in a run of the chapter.
    """
    if any(value is None or value is Ellipsis for value in values):
        print(f"… {NOT_ANSWERED}")
        return False
    return True


# --- small helpers for the chapters' checkers ----------------------------------------------------


def normalise(answer: Any) -> Any:
    """``answer`` in the plain form every checker compares, written any reasonable way.

    A NumPy or backend scalar (``np.int64(422)``, a 0-d array) becomes a Python number; a float
    with no fractional part (``np.ceil(421.875)`` = 422.0) becomes an int; a list, or an array
    with one axis (``np.array([235, 96])``), becomes a tuple of such numbers, element by element.
    Arrays with two or more axes, strings and functions are left as they are, and a near miss
    stays a near miss (421.875 is still a float), so the checker's hint still names it.
    """
    if isinstance(answer, list | tuple):
        return tuple(normalise(item) for item in answer)
    if not isinstance(answer, np.ndarray | np.generic) and hasattr(answer, "__array__"):
        shape = getattr(answer, "shape", None)  # a Keras, TensorFlow, JAX or PyTorch tensor
        if shape is not None and len(shape) <= 1:
            answer = np.asarray(answer)
    if isinstance(answer, np.ndarray):
        if answer.ndim == 0:
            answer = answer.item()
        elif answer.ndim == 1 and answer.dtype.kind in "iuf":
            return tuple(normalise(item) for item in answer.tolist())
        else:
            return answer
    if isinstance(answer, np.generic):
        answer = answer.item()
    if isinstance(answer, float) and answer.is_integer():
        return int(answer)
    return answer


def call(fn: Any, *args: Any) -> Any:
    """Call the learner's function; a body that is still ``...`` (returns None) is unanswered."""
    if not callable(fn):
        raise Hint(f"这里要的是一个函数，收到的是 {type(fn).__name__}。")
    result = fn(*args)
    if result is None:
        raise NotAnswered
    return result


def as_int(answer: Any, what: str = "答案") -> int:
    """``answer`` as a Python int (NumPy integers too); a Hint for anything else."""
    if isinstance(answer, bool) or not isinstance(answer, int | np.integer):
        raise Hint(f"{what}应当是一个整数，收到的是 {type(answer).__name__}：{answer!r}。")
    return int(answer)


def as_shape(answer: Any) -> tuple[int, ...]:
    """``answer`` as a shape tuple; a list is accepted, an array's ``.shape`` is expected."""
    if isinstance(answer, np.ndarray):
        raise Hint("这里要的是形状（一个整数元组，如 (2, 3)），不是数组本身；试试 `.shape`。")
    if not isinstance(answer, tuple | list) or not all(
        isinstance(n, int | np.integer) and not isinstance(n, bool) for n in answer
    ):
        raise Hint(f"形状应当是整数元组，如 (2, 3)，收到的是 {answer!r}。")
    return tuple(int(n) for n in answer)


def as_array(answer: Any) -> np.ndarray:
    """``answer`` as a NumPy array (Keras and backend tensors are converted)."""
    if isinstance(answer, np.ndarray):
        return answer
    if hasattr(answer, "numpy"):
        return np.asarray(answer.numpy())
    if isinstance(answer, list | tuple | int | float):
        return np.asarray(answer)
    raise Hint(f"这里要的是一个数组，收到的是 {type(answer).__name__}。")
