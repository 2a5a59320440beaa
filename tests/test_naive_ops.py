"""The naive loop implementations agree with NumPy, check shapes and leave their inputs alone."""

from __future__ import annotations

import subprocess
import sys

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keras_tutorial.naive_ops import (
    naive_add,
    naive_add_matrix_and_vector,
    naive_matrix_dot,
    naive_matrix_vector_dot,
    naive_matrix_vector_dot_via_vector_dot,
    naive_relu,
    naive_vector_dot,
)

side = st.integers(min_value=1, max_value=7)
floats = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False, width=64)
# Small integers keep every sum exact, so products can be compared with ==.
ints = st.integers(-50, 50)
dtypes = st.sampled_from(["float64", "int64"])
# A busy machine must not turn a slow example into a failure: these tests check results, not speed.
no_deadline = settings(deadline=None)


def array(dtype: str, shape: tuple[int, ...]) -> st.SearchStrategy[np.ndarray]:
    elements = floats if dtype == "float64" else ints
    return hnp.arrays(dtype, shape, elements=elements)


def same(actual: np.ndarray, expected: np.ndarray) -> None:
    """Equal values, shape and dtype; floating sums may differ in the last bits (other order)."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.shape == expected.shape
    assert actual.dtype == expected.dtype
    if expected.dtype.kind == "f":
        np.testing.assert_allclose(actual, expected, rtol=1e-9, atol=1e-6)
    else:
        np.testing.assert_array_equal(actual, expected)


@st.composite
def one_matrix(draw):
    dtype = draw(dtypes)
    return draw(array(dtype, (draw(side), draw(side))))


@st.composite
def two_matrices_same_shape(draw):
    dtype = draw(dtypes)
    shape = (draw(side), draw(side))
    return draw(array(dtype, shape)), draw(array(dtype, shape))


@st.composite
def matrix_and_vector(draw):
    dtype = draw(dtypes)
    n, m = draw(side), draw(side)
    return draw(array(dtype, (n, m))), draw(array(dtype, (m,)))


@st.composite
def two_vectors(draw):
    dtype = draw(dtypes)
    m = draw(side)
    return draw(array(dtype, (m,))), draw(array(dtype, (m,)))


@st.composite
def two_multipliable_matrices(draw):
    dtype = draw(dtypes)
    n, m, p = draw(side), draw(side), draw(side)
    return draw(array(dtype, (n, m))), draw(array(dtype, (m, p)))


@no_deadline
@given(one_matrix())
def test_relu_matches_numpy(x):
    same(naive_relu(x), np.maximum(x, 0))


@no_deadline
@given(two_matrices_same_shape())
def test_add_matches_numpy(xy):
    x, y = xy
    same(naive_add(x, y), x + y)


@no_deadline
@given(matrix_and_vector())
def test_add_matrix_and_vector_matches_broadcasting(xy):
    x, y = xy
    same(naive_add_matrix_and_vector(x, y), x + y)


@no_deadline
@given(two_vectors())
def test_vector_dot_matches_numpy(xy):
    x, y = xy
    result = naive_vector_dot(x, y)
    assert np.ndim(result) == 0
    same(result, np.dot(x, y))


@pytest.mark.parametrize("fn", [naive_matrix_vector_dot, naive_matrix_vector_dot_via_vector_dot])
@no_deadline
@given(xy=matrix_and_vector())
def test_matrix_vector_dot_matches_numpy(fn, xy):
    x, y = xy
    same(fn(x, y), np.dot(x, y))


@no_deadline
@given(two_multipliable_matrices())
def test_matrix_dot_matches_numpy(xy):
    x, y = xy
    same(naive_matrix_dot(x, y), np.dot(x, y))


def test_matrix_vector_dot_accumulates_over_columns():
    # The blog's version assigned instead of adding and returned only the last column's term.
    x = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    y = np.array([1.0, 10.0, 100.0])
    np.testing.assert_array_equal(naive_matrix_vector_dot(x, y), [321.0, 654.0])


def test_mixed_dtypes_promote_like_numpy():
    x = np.ones((2, 3), dtype="float32")
    y = np.full((2, 3), 0.1, dtype="float64")
    same(naive_add(x, y), x + y)
    same(naive_add_matrix_and_vector(x, y[0]), x + y[0])
    same(naive_matrix_dot(x, y.T), np.dot(x, y.T))


def test_lists_are_accepted():
    same(naive_relu([[-1, 2], [3, -4]]), np.array([[0, 2], [3, 0]]))
    same(naive_matrix_dot([[1, 2]], [[3], [4]]), np.array([[11]]))


# Each call has shapes that do not fit; the message must name both shapes.
BAD_CALLS = [
    (naive_relu, [(3,)]),
    (naive_relu, [(2, 3, 4)]),
    (naive_add, [(2, 3), (3, 2)]),
    (naive_add, [(2, 3), (3,)]),
    (naive_add, [(4,), (4,)]),
    (naive_add_matrix_and_vector, [(2, 3), (2,)]),
    (naive_add_matrix_and_vector, [(2, 3), (1, 3)]),
    (naive_vector_dot, [(3,), (4,)]),
    (naive_vector_dot, [(2, 2), (2, 2)]),
    (naive_matrix_vector_dot, [(2, 3), (2,)]),
    (naive_matrix_vector_dot, [(3,), (3,)]),
    (naive_matrix_vector_dot_via_vector_dot, [(2, 3), (4,)]),
    (naive_matrix_dot, [(2, 3), (2, 3)]),
    (naive_matrix_dot, [(2, 3), (3,)]),
]


@pytest.mark.parametrize(("fn", "shapes"), BAD_CALLS, ids=lambda v: getattr(v, "__name__", None))
def test_shape_errors_name_the_shapes(fn, shapes):
    args = [np.zeros(shape) for shape in shapes]
    with pytest.raises(ValueError, match=fn.__name__) as info:
        fn(*args)
    for shape in shapes:
        assert str(shape) in str(info.value)


def test_shape_checks_survive_python_O():
    code = (
        "import numpy as np\n"
        "from keras_tutorial.naive_ops import naive_matrix_dot\n"
        "try:\n"
        "    naive_matrix_dot(np.zeros((2, 3)), np.zeros((2, 3)))\n"
        "except ValueError as exc:\n"
        "    print('ValueError', exc)\n"
    )
    result = subprocess.run(
        [sys.executable, "-O", "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ValueError") and "(2, 3)" in result.stdout


ALL_CALLS = [
    (naive_relu, one_matrix().map(lambda x: (x,))),
    (naive_add, two_matrices_same_shape()),
    (naive_add_matrix_and_vector, matrix_and_vector()),
    (naive_vector_dot, two_vectors()),
    (naive_matrix_vector_dot, matrix_and_vector()),
    (naive_matrix_vector_dot_via_vector_dot, matrix_and_vector()),
    (naive_matrix_dot, two_multipliable_matrices()),
]


@pytest.mark.parametrize(("fn", "inputs"), ALL_CALLS, ids=lambda v: getattr(v, "__name__", None))
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_inputs_are_not_modified(fn, inputs, data):
    args = data.draw(inputs)
    before = [arg.copy() for arg in args]
    result = fn(*args)
    for arg, copy in zip(args, before, strict=True):
        np.testing.assert_array_equal(arg, copy)
        assert not np.shares_memory(arg, result)


@pytest.mark.parametrize(("fn", "inputs"), ALL_CALLS, ids=lambda v: getattr(v, "__name__", None))
@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_read_only_inputs_work(fn, inputs, data):
    # Any write into an argument would raise here, even one that put the same value back.
    args = data.draw(inputs)
    for arg in args:
        arg.flags.writeable = False
    fn(*args)


def test_relu_on_negative_zero_and_extremes():
    info = np.finfo("float64")
    x = np.array([[-0.0, info.min, info.max, -info.tiny]])
    same(naive_relu(x), np.maximum(x, 0))
