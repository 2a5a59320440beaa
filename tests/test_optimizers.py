"""Chapter 4's update rules (keras_tutorial.ch04, generated from the chapter) make the same updates
as keras.optimizers on the active backend."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from keras_tutorial.ch04 import descend, momentum_step, rmsprop_step, sgd_step

STEPS = 100
# Both sides compute in float32. On TensorFlow and JAX the results are bit-identical; torch's fused
# kernels round a few last bits differently (up to ~5e-7 here, for parameters of order 1).
TOLERANCE = 1e-6


def gradient_sequence(seed: int, scale: float) -> list[list[np.ndarray]]:
    """STEPS gradients for a (3, 4) matrix and a (4,) vector, float32."""
    rng = np.random.default_rng(seed)
    return [
        [
            (scale * rng.normal(size=(3, 4))).astype("float32"),
            (scale * rng.normal(size=4)).astype("float32"),
        ]
        for _ in range(STEPS)
    ]


def initial_values(seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed + 1)
    return [rng.normal(size=(3, 4)).astype("float32"), rng.normal(size=4).astype("float32")]


def run_keras(optimizer: keras.optimizers.Optimizer, grads_seq, start) -> list[np.ndarray]:  # noqa: ANN001
    variables = [keras.Variable(value) for value in start]
    for grads in grads_seq:
        optimizer.apply_gradients(
            [(keras.ops.convert_to_tensor(g), v) for g, v in zip(grads, variables, strict=True)]
        )
    return [keras.ops.convert_to_numpy(v) for v in variables]


def run_ours(step, hyperparameters, grads_seq, start) -> list[np.ndarray]:  # noqa: ANN001
    """Apply a chapter update rule to each parameter, each with its own state starting at 0."""
    params = [value.copy() for value in start]
    states = [np.zeros_like(value) for value in start]
    for grads in grads_seq:
        for i, g in enumerate(grads):
            params[i], states[i] = step(params[i], g, states[i], **hyperparameters)
    return params


CASES = {
    "sgd": (sgd_step, {"learning_rate": 0.01}, lambda: keras.optimizers.SGD(learning_rate=0.01)),
    "momentum": (
        momentum_step,
        {"learning_rate": 0.01, "momentum": 0.9},
        lambda: keras.optimizers.SGD(learning_rate=0.01, momentum=0.9, nesterov=False),
    ),
    "momentum_0.5": (
        momentum_step,
        {"learning_rate": 0.05, "momentum": 0.5},
        lambda: keras.optimizers.SGD(learning_rate=0.05, momentum=0.5),
    ),
    "rmsprop_defaults": (rmsprop_step, {}, lambda: keras.optimizers.RMSprop()),
    "rmsprop_custom": (
        rmsprop_step,
        {"learning_rate": 0.01, "rho": 0.8, "epsilon": 1e-6},
        lambda: keras.optimizers.RMSprop(learning_rate=0.01, rho=0.8, epsilon=1e-6),
    ),
}


@pytest.mark.parametrize("scale", [1.0, 1e-4], ids=["grad~1", "grad~1e-4"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_same_updates_as_keras_after_100_steps(case: str, scale: float) -> None:
    step, hyperparameters, make_keras = CASES[case]
    grads_seq = gradient_sequence(seed=7, scale=scale)
    start = initial_values(seed=7)
    ours = run_ours(step, hyperparameters, grads_seq, start)
    theirs = run_keras(make_keras(), grads_seq, start)
    for mine, reference, initial in zip(ours, theirs, start, strict=True):
        assert mine.dtype == np.float32  # Python-float hyperparameters keep float32 float32
        np.testing.assert_allclose(mine, reference, rtol=0, atol=TOLERANCE)
        # The parameters did move, so the comparison is not between two untouched arrays.
        assert np.abs(mine - initial).max() > 100 * TOLERANCE * scale


def epsilon_outside_rmsprop(w, g, s, learning_rate=0.001, rho=0.9, epsilon=1e-7):  # noqa: ANN001, ANN201
    """A plausible mistake: w -= lr * g / (sqrt(s) + epsilon), as in some textbooks."""
    s = rho * s + (1 - rho) * g**2
    return w - learning_rate * g / (np.sqrt(s) + epsilon), s


@pytest.mark.parametrize(
    ("step", "hyperparameters", "make_keras", "scale"),
    [
        (sgd_step, {"learning_rate": 0.01}, lambda: keras.optimizers.SGD(0.01, momentum=0.9), 1.0),
        (
            momentum_step,
            {"learning_rate": 0.01},
            lambda: keras.optimizers.SGD(0.01, momentum=0.9, nesterov=True),
            1.0,
        ),
        # With small gradients the placement of epsilon matters.
        (epsilon_outside_rmsprop, {}, lambda: keras.optimizers.RMSprop(), 1e-4),
    ],
    ids=["no-momentum", "nesterov", "epsilon-outside-sqrt"],
)
def test_comparison_detects_a_different_rule(step, hyperparameters, make_keras, scale) -> None:  # noqa: ANN001
    grads_seq = gradient_sequence(seed=3, scale=scale)
    start = initial_values(seed=3)
    ours = run_ours(step, hyperparameters, grads_seq, start)
    theirs = run_keras(make_keras(), grads_seq, start)
    assert max(np.abs(a - b).max() for a, b in zip(ours, theirs, strict=True)) > 10 * TOLERANCE


def test_momentum_accumulates_velocity() -> None:
    w, v = np.array([1.0, -2.0]), np.zeros(2)
    g = np.array([1.0, 1.0])
    w, v = momentum_step(w, g, v, learning_rate=0.1)
    w, v = momentum_step(w, g, v, learning_rate=0.1)
    # v1 = -0.1 g, v2 = 0.9 v1 - 0.1 g = -0.19 g: w moves by -0.29 g in total.
    np.testing.assert_allclose(v, [-0.19, -0.19])
    np.testing.assert_allclose(w, [1.0 - 0.29, -2.0 - 0.29])


def test_rmsprop_first_step_matches_formula() -> None:
    w, s = rmsprop_step(np.array([1.0]), np.array([2.0]), np.zeros(1), learning_rate=0.1)
    # s = 0.1 * 4 = 0.4; w = 1 - 0.1 * 2 / sqrt(0.4 + 1e-7)
    np.testing.assert_allclose(s, [0.4])
    np.testing.assert_allclose(w, [1.0 - 0.2 / np.sqrt(0.4 + 1e-7)], rtol=1e-12)


def test_update_rules_do_not_change_their_inputs() -> None:
    # descend() keeps every position it passes through, so a rule must return new arrays.
    w, g, s = np.ones(3), np.full(3, 0.5), np.full(3, 0.2)
    for step in (sgd_step, momentum_step, rmsprop_step):
        step(w, g, s, learning_rate=0.1)
        assert (w == 1).all() and (g == 0.5).all() and (s == 0.2).all(), step.__name__


def keras_path(optimizer: keras.optimizers.Optimizer, grad, start: float, steps: int) -> np.ndarray:  # noqa: ANN001
    w = keras.Variable(np.array([start], dtype="float32"))
    path = [keras.ops.convert_to_numpy(w)]
    for _ in range(steps):
        g = grad(keras.ops.convert_to_numpy(w))
        optimizer.apply_gradients([(keras.ops.convert_to_tensor(g), w)])
        path.append(keras.ops.convert_to_numpy(w))
    return np.array(path)


def wells_grad(w: np.ndarray) -> np.ndarray:
    return 4 * w**3 - 4 * w + 0.5


@pytest.mark.parametrize(
    ("step", "hyperparameters", "make_keras"),
    [
        (momentum_step, {"learning_rate": 0.01}, lambda: keras.optimizers.SGD(0.01, momentum=0.9)),
        (rmsprop_step, {"learning_rate": 0.01}, lambda: keras.optimizers.RMSprop(0.01)),
    ],
    ids=["momentum", "rmsprop"],
)
def test_descend_follows_the_same_path_as_keras(step, hyperparameters, make_keras) -> None:  # noqa: ANN001
    # Here each gradient depends on where the previous steps went, as in the chapter's figures.
    ours = descend(step, wells_grad, 1.8, 200, dtype="float32", **hyperparameters)
    theirs = keras_path(make_keras(), wells_grad, 1.8, 200)
    assert ours.shape == theirs.shape == (201, 1)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=TOLERANCE)
    plain = keras_path(keras.optimizers.SGD(0.01), wells_grad, 1.8, 200)
    assert np.abs(plain - theirs).max() > 0.1  # a different rule gives a different path
