"""Chapter 3: its naive loops agree with NumPy and check every axis and rank; the chapter runs.

The functions under test are the chapter's own cells, generated into ``keras_tutorial.ch03``.
"""

from __future__ import annotations

import subprocess
import sys

import hypothesis.extra.numpy as hnp
import jupytext
import numpy as np
import pytest
from helpers import BACKENDS, SCRIPTS, assert_figures
from hypothesis import given, settings
from hypothesis import strategies as st
from shared_runs import run_in_terminal

from keras_tutorial.ch03 import (
    naive_add,
    naive_add_matrix_and_vector,
    naive_matrix_dot,
    naive_matrix_vector_dot,
    naive_matrix_vector_dot_via_vector_dot,
    naive_relu,
    naive_vector_dot,
    rotation,
)
from keras_tutorial.exercises import NOT_ANSWERED

CH03 = "ch03_tensor_operations.py"
CH03_FIGURES = ["ch03_rotation_affine.png", "ch03_dense_relu.png", "ch03_uncrumple.png"]

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


def same(actual, expected) -> None:
    """Equal values, shape and dtype; floating sums may differ in the last bits (other order)."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.shape == expected.shape
    assert actual.dtype == expected.dtype, (actual.dtype, expected.dtype)
    if expected.dtype.kind == "f":
        eps = np.finfo(expected.dtype).eps
        np.testing.assert_allclose(actual, expected, rtol=1e3 * eps, atol=1e-6)
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


# Mixed dtypes: every naive op must give NumPy's values and NumPy's result dtype. Before the fix the
# loops allocated with the first argument's dtype: [[1, 2], [3, 4]] · [0.5, 0.5] gave [1 3].
DTYPES = ["bool", "uint8", "int32", "int64", "float32", "float64"]
DTYPE_PAIRS = [pytest.param(a, b, id=f"{a}-{b}") for a in DTYPES for b in DTYPES]
BINARY_OPS = [
    (naive_add, lambda x, y: x + y, [(3, 4), (3, 4)]),
    (naive_add_matrix_and_vector, lambda x, y: x + y, [(3, 4), (4,)]),
    (naive_vector_dot, np.dot, [(5,), (5,)]),
    (naive_matrix_vector_dot, np.dot, [(3, 4), (4,)]),
    (naive_matrix_vector_dot_via_vector_dot, np.dot, [(3, 4), (4,)]),
    (naive_matrix_dot, np.dot, [(3, 4), (4, 2)]),
]


def small(dtype: str, shape: tuple[int, ...], seed: int) -> np.ndarray:
    """Values that fit every dtype here (uint8 included) and keep integer sums exact."""
    rng = np.random.default_rng(seed)
    if dtype == "bool":
        return rng.random(shape) < 0.5
    values = rng.integers(0, 6, shape) if dtype == "uint8" else rng.integers(-5, 6, shape)
    if dtype.startswith("float"):
        return (values + rng.random(shape)).astype(dtype)  # fractional parts that truncation loses
    return values.astype(dtype)


@pytest.mark.parametrize(
    ("fn", "numpy_fn", "shapes"), [pytest.param(*op, id=op[0].__name__) for op in BINARY_OPS]
)
@pytest.mark.parametrize(("dtype_x", "dtype_y"), DTYPE_PAIRS)
def test_binary_ops_give_numpys_values_and_dtype_for_mixed_dtypes(
    fn, numpy_fn, shapes, dtype_x, dtype_y
):
    x, y = small(dtype_x, shapes[0], 1), small(dtype_y, shapes[1], 2)
    same(fn(x, y), numpy_fn(x, y))


@pytest.mark.parametrize("dtype", DTYPES)
def test_relu_gives_numpys_values_and_dtype_for_every_dtype(dtype):
    x = small(dtype, (3, 4), 3)
    same(naive_relu(x), np.maximum(x, 0))


def test_integer_matrix_times_fractional_vector_is_not_truncated():
    x, y = np.array([[1, 2], [3, 4]]), np.array([0.5, 0.5])
    for fn in (naive_matrix_vector_dot, naive_matrix_vector_dot_via_vector_dot):
        same(fn(x, y), np.array([1.5, 3.5]))
    same(naive_matrix_dot(x, y[:, None]), np.array([[1.5], [3.5]]))


def test_matrix_vector_dot_accumulates_over_columns():
    # A version that assigned instead of adding would return only the last column's term.
    x = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    y = np.array([1.0, 10.0, 100.0])
    np.testing.assert_array_equal(naive_matrix_vector_dot(x, y), [321.0, 654.0])
    np.testing.assert_array_equal(naive_matrix_vector_dot_via_vector_dot(x, y), [321.0, 654.0])


def test_relu_on_negative_zero_and_extremes():
    info = np.finfo("float64")
    x = np.array([[-0.0, info.min, info.max, -info.tiny]])
    same(naive_relu(x), np.maximum(x, 0))


# Every shape check at its boundary: each axis off by one, each argument one rank too few or too
# many. Weakening a check to one axis or dropping a rank test lets one of these through.
MATRIX_VECTOR_BAD = [
    [(2, 3), (2,)],  # vector one shorter than the columns
    [(2, 3), (4,)],  # one longer
    [(3, 3, 3), (3,)],  # x of rank 3
    [(3,), (3,)],  # x of rank 1
    [(2, 3), (3, 1)],  # y of rank 2 whose first axis fits
    [(2, 3), (1, 3)],  # y of rank 2 whose last axis fits
]
BAD_CALLS = [
    (naive_relu, [(3,)]),
    (naive_relu, [(2, 3, 4)]),
    (naive_relu, [()]),
    (naive_add, [(2, 3), (3, 3)]),  # axis 0 only
    (naive_add, [(2, 3), (2, 4)]),  # axis 1 only
    (naive_add, [(2, 3), (2, 3, 1)]),  # y one rank more
    (naive_add, [(2, 3), (3,)]),  # y one rank less
    (naive_add, [(4,), (4,)]),  # both vectors: same shape, wrong rank
    (naive_add, [(2, 3, 4), (2, 3, 4)]),  # both rank 3
    *[(naive_add_matrix_and_vector, shapes) for shapes in MATRIX_VECTOR_BAD],
    (naive_vector_dot, [(3,), (4,)]),
    (naive_vector_dot, [(4,), (3,)]),
    (naive_vector_dot, [(3,), (3, 1)]),
    (naive_vector_dot, [(2, 2), (2, 2)]),
    (naive_vector_dot, [(), ()]),
    *[(naive_matrix_vector_dot, shapes) for shapes in MATRIX_VECTOR_BAD],
    *[(naive_matrix_vector_dot_via_vector_dot, shapes) for shapes in MATRIX_VECTOR_BAD],
    (naive_matrix_dot, [(2, 3), (2, 4)]),  # inner lengths 3 and 2
    (naive_matrix_dot, [(2, 3), (4, 4)]),  # inner lengths 3 and 4
    (naive_matrix_dot, [(3,), (3, 2)]),  # x not 2-D
    (naive_matrix_dot, [(2, 2, 3), (3, 2)]),
    (naive_matrix_dot, [(2, 3), (3,)]),  # y not 2-D
    (naive_matrix_dot, [(2, 3), (3, 2, 2)]),
]


@pytest.mark.parametrize(
    ("fn", "shapes"), BAD_CALLS, ids=lambda v: getattr(v, "__name__", None) or str(v)
)
def test_shape_errors_name_the_shapes(fn, shapes):
    args = [np.zeros(shape) for shape in shapes]
    with pytest.raises(ValueError) as info:
        fn(*args)
    for shape in shapes:
        assert str(shape) in str(info.value)


# The shapes just inside each boundary above are accepted, so the checks are not too strict.
GOOD_CALLS = [
    (naive_relu, [(1, 1)]),
    (naive_add, [(2, 3), (2, 3)]),
    (naive_add_matrix_and_vector, [(2, 3), (3,)]),
    (naive_add_matrix_and_vector, [(3, 1), (1,)]),
    (naive_vector_dot, [(1,), (1,)]),
    (naive_matrix_vector_dot, [(2, 3), (3,)]),
    (naive_matrix_vector_dot_via_vector_dot, [(1, 3), (3,)]),
    (naive_matrix_dot, [(2, 3), (3, 4)]),
    (naive_matrix_dot, [(1, 1), (1, 1)]),
]


@pytest.mark.parametrize(
    ("fn", "shapes"), GOOD_CALLS, ids=lambda v: getattr(v, "__name__", None) or str(v)
)
def test_fitting_shapes_are_accepted(fn, shapes):
    rng = np.random.default_rng(0)
    args = [rng.standard_normal(shape) for shape in shapes]
    numpy_fn = {
        naive_relu: lambda x: np.maximum(x, 0),
        naive_add: np.add,
        naive_add_matrix_and_vector: np.add,
    }.get(fn, np.dot)
    same(fn(*args), numpy_fn(*args))


def test_shape_checks_survive_python_O():
    code = (
        "import numpy as np\n"
        "from keras_tutorial.ch03 import naive_matrix_dot\n"
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


def test_rotation_turns_counterclockwise_and_keeps_lengths():
    np.testing.assert_allclose(rotation(np.pi / 2) @ [1.0, 0.0], [0.0, 1.0], atol=1e-12)
    np.testing.assert_allclose(rotation(0.7) @ rotation(-0.7), np.eye(2), atol=1e-12)
    points = np.random.default_rng(0).normal(size=(20, 2))
    turned = points @ rotation(2.0).T
    np.testing.assert_allclose(np.linalg.norm(turned, axis=1), np.linalg.norm(points, axis=1))


# --- the chapter as a reader runs it ---------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_what_the_chapter_computed(runs, backend):
    run = runs.script(backend, "ch03_tensor_operations")
    found = run.values
    # np.dot and @ differ exactly when x has rank >= 2 and y rank >= 3: the chapter's pairs show
    # both sides of that rule.
    sides = set()
    for x_shape, y_shape in found["pairs"]:
        x, y = np.ones(x_shape), np.ones(y_shape)
        agree = np.dot(x, y).shape == (x @ y).shape
        assert agree == (len(x_shape) < 2 or len(y_shape) < 3), (x_shape, y_shape)
        sides.add(agree)
    assert sides == {True, False}
    assert found["same_norms"] is True  # a rotation keeps lengths
    assert found["same"] is True  # the Keras layer computes relu(points @ kernel + bias)
    # The per multiply-add timing: quick mode's sizes and rounds, real positive times.
    assert found["sizes"] == [8, 16, 32] and found["seconds"] < 0.2
    assert len(found["per_madd"]) == 3 and all(t > 0 for pair in found["per_madd"] for t in pair)
    # The two-class example: after the two layers a straight line separates the rings.
    assert found["epochs"] < 40 and found["accuracy"] >= 0.95
    # Each exercise cell runs; those with a checker say NOT_ANSWERED.
    assert run.text.count(NOT_ANSWERED) == 4
    assert_figures(run.out, CH03_FIGURES)


def chapter_code_until(marker: str, replace: dict[str, str]) -> str:
    """The chapter's code cells up to the first one containing ``marker``, with cells replaced."""
    nb = jupytext.read(SCRIPTS / CH03, fmt="py:percent")
    code = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        source = cell.source
        for old, new in replace.items():
            if source.startswith(old):
                source = new
        code.append(source)
        if marker in source:
            return "\n\n".join(code)
    raise AssertionError(f"no cell contains {marker!r}")


#: A cell the chapter compares with NumPy → a learner's wrong edit of it.
EDITS = {
    "# @save\nimport numpy as np\n\n\ndef naive_relu(": (
        "import numpy as np\n\n\ndef naive_relu(x):\n    return x\n"
    ),
    "# @save\ndef naive_matrix_dot(": (
        "def naive_matrix_dot(x, y):\n    return np.zeros((x.shape[0], y.shape[1]))\n"
    ),
}


def comparisons(text: str, outcome: bool) -> set[str]:
    """The printed comparisons (lines ending in ``: True`` or ``: False``) with that outcome."""
    end = f": {outcome}"
    return {line.removesuffix(end) for line in text.splitlines() if line.endswith(end)}


def test_editing_a_cell_changes_what_follows(tmp_path):
    # The chapter compares its own cells with NumPy, not the package's copy of them: each edit
    # turns one of its comparisons False, where the unedited chapter prints True.
    last = "naive_matrix_dot(x, y), np.dot(x, y)"
    scripts = [tmp_path / "unedited.py"]
    scripts[0].write_text(chapter_code_until(last, {}), encoding="utf-8")
    for number, (cell, edit) in enumerate(EDITS.items()):
        scripts.append(tmp_path / f"edited_{number}.py")
        scripts[-1].write_text(chapter_code_until(last, {cell: edit}), encoding="utf-8")
    found = run_in_terminal(scripts, tmp_path / "out", "--quick")
    assert all(run.status == 0 for run in found.values()), found
    unedited = found["unedited"].text
    flipped = [
        comparisons(unedited, True) & comparisons(found[s.stem].text, False) for s in scripts[1:]
    ]
    assert all(len(lines) == 1 for lines in flipped), flipped
    assert flipped[0] != flipped[1]
