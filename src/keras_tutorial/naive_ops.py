"""Tensor operations written as plain Python loops, to show what NumPy does for us.

Each function gives the same result as its NumPy counterpart (named in its docstring), checks the
shapes of its arguments and raises :class:`ValueError` naming them when they do not fit, and never
modifies its arguments. The checks are ``if ... raise`` rather than ``assert``, which ``python -O``
would silently remove.

They are deliberately slow: chapter 3 and ``python -m keras_tutorial.opbench`` time them against
NumPy.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def _shape_error(name: str, zh: str, en: str, *shapes: tuple[int, ...]) -> ValueError:
    zh_shapes = " 和 ".join(str(shape) for shape in shapes)
    en_shapes = " and ".join(str(shape) for shape in shapes)
    return ValueError(f"{name}：{zh}，收到的是 {zh_shapes}。/ {name}: {en}, got {en_shapes}.")


def _matrix(name: str, x: ArrayLike) -> np.ndarray:
    x = np.asarray(x)
    if x.ndim != 2:
        raise _shape_error(
            name, "需要二阶张量（矩阵）", "expects a rank-2 tensor (a matrix)", x.shape
        )
    return x


def naive_relu(x: ArrayLike) -> np.ndarray:
    """``max(x, 0)`` element by element for a matrix, like ``np.maximum(x, 0)``."""
    x = _matrix("naive_relu", x)
    z = x.copy()  # work on a copy: the caller's array stays as it was
    for i in range(z.shape[0]):
        for j in range(z.shape[1]):
            z[i, j] = max(z[i, j], 0)
    return z


def naive_add(x: ArrayLike, y: ArrayLike) -> np.ndarray:
    """Element-wise sum of two matrices of the same shape, like ``x + y``."""
    x, y = np.asarray(x), np.asarray(y)
    if x.ndim != 2 or x.shape != y.shape:
        raise _shape_error(
            "naive_add",
            "需要两个形状相同的矩阵",
            "expects two matrices of the same shape",
            x.shape,
            y.shape,
        )
    # The result type NumPy would give (e.g. float32 + float64 -> float64).
    z = x.astype(np.result_type(x, y), copy=True)
    for i in range(z.shape[0]):
        for j in range(z.shape[1]):
            z[i, j] += y[i, j]
    return z


def naive_add_matrix_and_vector(x: ArrayLike, y: ArrayLike) -> np.ndarray:
    """Add vector ``y`` to every row of matrix ``x``, like the broadcast ``x + y``."""
    x, y = np.asarray(x), np.asarray(y)
    if x.ndim != 2 or y.ndim != 1 or x.shape[1] != y.shape[0]:
        raise _shape_error(
            "naive_add_matrix_and_vector",
            "需要矩阵 (n, m) 和向量 (m,)",
            "expects a matrix (n, m) and a vector (m,)",
            x.shape,
            y.shape,
        )
    z = x.astype(np.result_type(x, y), copy=True)
    for i in range(z.shape[0]):
        for j in range(z.shape[1]):
            z[i, j] += y[j]
    return z


def naive_vector_dot(x: ArrayLike, y: ArrayLike) -> np.generic:
    """Dot product of two vectors of the same length, like ``np.dot(x, y)``: a scalar."""
    x, y = np.asarray(x), np.asarray(y)
    if x.ndim != 1 or x.shape != y.shape:
        raise _shape_error(
            "naive_vector_dot",
            "需要两个长度相同的向量",
            "expects two vectors of the same length",
            x.shape,
            y.shape,
        )
    z = np.result_type(x, y).type(0)
    for i in range(x.shape[0]):
        z += x[i] * y[i]
    return z


def _check_matrix_vector(name: str, x: np.ndarray, y: np.ndarray) -> None:
    if x.ndim != 2 or y.ndim != 1 or x.shape[1] != y.shape[0]:
        raise _shape_error(
            name,
            "需要矩阵 (n, m) 和向量 (m,)",
            "expects a matrix (n, m) and a vector (m,)",
            x.shape,
            y.shape,
        )


def naive_matrix_vector_dot(x: ArrayLike, y: ArrayLike) -> np.ndarray:
    """Matrix (n, m) times vector (m,), giving a vector (n,), like ``np.dot(x, y)``."""
    x, y = np.asarray(x), np.asarray(y)
    _check_matrix_vector("naive_matrix_vector_dot", x, y)
    z = np.zeros(x.shape[0], dtype=np.result_type(x, y))
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            z[i] += x[i, j] * y[j]  # accumulate: z[i] is a sum over j
    return z


def naive_matrix_vector_dot_via_vector_dot(x: ArrayLike, y: ArrayLike) -> np.ndarray:
    """The same as :func:`naive_matrix_vector_dot`, one row of ``x`` at a time."""
    x, y = np.asarray(x), np.asarray(y)
    _check_matrix_vector("naive_matrix_vector_dot_via_vector_dot", x, y)
    z = np.zeros(x.shape[0], dtype=np.result_type(x, y))
    for i in range(x.shape[0]):
        z[i] = naive_vector_dot(x[i, :], y)
    return z


def naive_matrix_dot(x: ArrayLike, y: ArrayLike) -> np.ndarray:
    """Matrix (n, m) times matrix (m, p), giving a matrix (n, p), like ``np.dot(x, y)``."""
    x, y = np.asarray(x), np.asarray(y)
    if x.ndim != 2 or y.ndim != 2 or x.shape[1] != y.shape[0]:
        raise _shape_error(
            "naive_matrix_dot",
            "需要矩阵 (n, m) 和矩阵 (m, p)",
            "expects matrices (n, m) and (m, p)",
            x.shape,
            y.shape,
        )
    z = np.zeros((x.shape[0], y.shape[1]), dtype=np.result_type(x, y))
    for i in range(x.shape[0]):
        for j in range(y.shape[1]):
            # Entry (i, j) is row i of x dotted with column j of y.
            z[i, j] = naive_vector_dot(x[i, :], y[:, j])
    return z
