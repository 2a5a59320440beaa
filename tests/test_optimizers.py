"""Chapter 4's update rules and descent loops (keras_tutorial.ch04, generated from the chapter):
the same updates as keras.optimizers on the active backend, the paths the chapter describes, and a
mini-batch SGD loop that shuffles every epoch and reports its loss as Keras does."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from keras_tutorial.ch04 import descend, gd_step, minibatch_sgd, momentum_step, rmsprop_step

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


def run_keras(optimizer: keras.optimizers.Optimizer, grads_seq, start) -> list[np.ndarray]:
    variables = [keras.Variable(value) for value in start]
    for grads in grads_seq:
        optimizer.apply_gradients(
            [(keras.ops.convert_to_tensor(g), v) for g, v in zip(grads, variables, strict=True)]
        )
    return [keras.ops.convert_to_numpy(v) for v in variables]


def run_ours(step, hyperparameters, grads_seq, start) -> list[np.ndarray]:
    """Apply a chapter update rule to each parameter, each with its own state starting at 0."""
    params = [value.copy() for value in start]
    states = [np.zeros_like(value) for value in start]
    for grads in grads_seq:
        for i, g in enumerate(grads):
            params[i], states[i] = step(params[i], g, states[i], **hyperparameters)
    return params


CASES = {
    "sgd": (gd_step, {"learning_rate": 0.01}, lambda: keras.optimizers.SGD(learning_rate=0.01)),
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


def epsilon_outside_rmsprop(w, g, s, learning_rate=0.001, rho=0.9, epsilon=1e-7):
    """A plausible mistake: w -= lr * g / (sqrt(s) + epsilon), as in some textbooks."""
    s = rho * s + (1 - rho) * g**2
    return w - learning_rate * g / (np.sqrt(s) + epsilon), s


@pytest.mark.parametrize(
    ("step", "hyperparameters", "make_keras", "scale"),
    [
        (gd_step, {"learning_rate": 0.01}, lambda: keras.optimizers.SGD(0.01, momentum=0.9), 1.0),
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
def test_comparison_detects_a_different_rule(step, hyperparameters, make_keras, scale) -> None:
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
    for step in (gd_step, momentum_step, rmsprop_step):
        step(w, g, s, learning_rate=0.1)
        assert (w == 1).all() and (g == 0.5).all() and (s == 0.2).all(), step.__name__


def keras_path(optimizer: keras.optimizers.Optimizer, grad, start: float, steps: int) -> np.ndarray:
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
def test_descend_follows_the_same_path_as_keras(step, hyperparameters, make_keras) -> None:
    # Here each gradient depends on where the previous steps went, as in the chapter's figures.
    ours = descend(step, wells_grad, 1.8, 200, dtype="float32", **hyperparameters)
    theirs = keras_path(make_keras(), wells_grad, 1.8, 200)
    assert ours.shape == theirs.shape == (201, 1)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=TOLERANCE)
    plain = keras_path(keras.optimizers.SGD(0.01), wells_grad, 1.8, 200)
    assert np.abs(plain - theirs).max() > 0.1  # a different rule gives a different path


# --- descent paths on the chapter's toy functions ------------------------------------------------


def quadratic_grad(w: np.ndarray) -> np.ndarray:
    """Gradient of f(w) = sum((w - 3)**2), whose minimum is at w = 3."""
    return 2 * (w - 3.0)


def wells(w: np.ndarray) -> np.ndarray:
    return w**4 - 2 * w**2 + 0.5 * w


def bowl(w: np.ndarray) -> np.ndarray:
    return 0.5 * (w[..., 0] ** 2 + 10 * w[..., 1] ** 2)


def bowl_grad(w: np.ndarray) -> np.ndarray:
    return np.array([w[0], 10 * w[1]])


def test_path_starts_at_start_and_has_one_row_per_step() -> None:
    path = descend(gd_step, quadratic_grad, (0.0, 1.0), 7, learning_rate=0.1)
    assert path.shape == (8, 2) and path.dtype == np.float64
    np.testing.assert_array_equal(path[0], [0.0, 1.0])
    # A number as start is a one-dimensional problem; float32 stays float32 along the way.
    one_d = descend(momentum_step, quadratic_grad, 1.0, 4, dtype="float32", learning_rate=0.1)
    assert one_d.shape == (5, 1) and one_d.dtype == np.float32


def test_descent_on_a_quadratic_converges_to_the_minimum() -> None:
    path = descend(gd_step, quadratic_grad, (-4.0, 10.0), 100, learning_rate=0.1)
    np.testing.assert_allclose(path[-1], [3.0, 3.0], atol=1e-6)
    # With a small enough step the distance to the minimum shrinks at every step.
    distance = np.linalg.norm(path - 3.0, axis=1)
    assert np.all(np.diff(distance) < 0)
    one = descend(gd_step, quadratic_grad, 5.0, 1, learning_rate=0.25)
    assert one[1, 0] == pytest.approx(5.0 - 0.25 * 2 * (5.0 - 3.0))


def test_too_large_a_step_diverges() -> None:
    # For f(w) = (w - 3)**2 every step multiplies the distance to 3 by |1 - 2 lr|; lr > 1 grows it.
    path = descend(gd_step, quadratic_grad, 4.0, 30, learning_rate=1.05)
    distance = np.abs(path[:, 0] - 3.0)
    assert np.all(np.diff(distance) > 0)
    assert distance[-1] > 10 * distance[0]


@pytest.mark.parametrize(("below", "above"), [(0.19, 0.21), (0.199, 0.201)])
def test_the_bowl_diverges_above_two_over_its_steepest_curvature(below, above) -> None:
    good = descend(gd_step, bowl_grad, (-4.5, 2.0), 1000, learning_rate=below)
    bad = descend(gd_step, bowl_grad, (-4.5, 2.0), 1000, learning_rate=above)
    assert bowl(good[-1]) < 1e-3 < bowl(good[0]) < bowl(bad[-1])


def test_on_the_ravine_momentum_crosses_less_and_goes_further_along_than_its_equal_step() -> None:
    # 4.7's claims, on its own settings: momentum against gradient descent at the effective step
    # eta / (1 - mu) (like with like), and against the same learning rate.
    flips, swing = (
        lambda p: np.count_nonzero(np.diff(np.sign(p[:, 1]))),
        lambda p: np.abs(p[10:, 1]).max(),
    )
    rolling = descend(momentum_step, bowl_grad, (-4.5, 2.0), 30, learning_rate=0.05, momentum=0.7)
    equal = descend(gd_step, bowl_grad, (-4.5, 2.0), 30, learning_rate=0.05 / (1 - 0.7))
    plain = descend(gd_step, bowl_grad, (-4.5, 2.0), 30, learning_rate=0.05)
    rms = descend(rmsprop_step, bowl_grad, (-4.5, 2.0), 30, learning_rate=0.3)
    assert flips(equal) == 30 and flips(rolling) < 10 and flips(plain) == 0
    assert swing(rolling) > swing(equal)  # fewer crossings, but wider swings
    assert abs(rolling[-1, 0]) < abs(equal[-1, 0]) < abs(plain[-1, 0]) / 10
    assert bowl(rms[-1]) < bowl(rolling[-1]) < bowl(equal[-1])
    # RMSprop slides down monotonically first: its sign flips come only once w2 is tiny.
    first_flip = np.flatnonzero(np.diff(np.sign(rms[:, 1])))[0]
    assert np.all(np.diff(rms[: first_flip + 1, 1]) < 0) and abs(rms[first_flip, 1]) < 1e-3
    assert swing(rms) < min(swing(equal), swing(rolling))


def test_momentum_passes_the_local_minimum_where_plain_descent_stops() -> None:
    plain = descend(gd_step, wells_grad, 1.8, 200, learning_rate=0.01)[:, 0]
    rolling = descend(momentum_step, wells_grad, 1.8, 200, learning_rate=0.01)[:, 0]
    # Plain descent settles in the right-hand (local) minimum and never crosses the hump near 0.
    assert plain[-1] == pytest.approx(0.93, abs=0.01)
    assert plain.min() > 0.5
    # Momentum crosses it and ends in the lower, left-hand minimum.
    assert rolling[-1] == pytest.approx(-1.06, abs=0.01)
    assert wells(rolling[-1]) < wells(plain[-1]) - 0.5
    assert abs(wells_grad(rolling[-1])) < 1e-2


# --- 4.5: mini-batch SGD on linear regression --------------------------------------------------


def regression(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 20))
    return x, x @ rng.normal(size=20) + 0.5 * rng.normal(size=n)


class RecordingArray(np.ndarray):
    """An array that remembers every index array it is read with (the batches a loop takes)."""

    def __getitem__(self, index):
        if isinstance(index, np.ndarray):
            self.taken.append(index.copy())
        return np.asarray(super().__getitem__(index))


def recording(x: np.ndarray) -> RecordingArray:
    spy = x.view(RecordingArray)
    spy.taken = []
    return spy


def epochs_of(batches: list[np.ndarray], n: int) -> list[np.ndarray]:
    """The sample order of each epoch, from the batches in the order they were taken."""
    order = np.concatenate(batches)
    assert len(order) % n == 0
    return np.split(order, len(order) // n)


def test_minibatch_sgd_visits_every_sample_once_per_epoch_in_a_new_order() -> None:
    x, y = regression(100)
    spy = recording(x)
    minibatch_sgd(spy, y, 8, 0.02, 3, seed=1)
    assert [len(b) for b in spy.taken[:13]] == [8] * 12 + [4]  # the short last batch is used
    orders = epochs_of(spy.taken, 100)
    assert len(orders) == 3
    for order in orders:
        assert sorted(order) == list(range(100))
        assert not np.array_equal(order, np.arange(100))
    assert not np.array_equal(orders[0], orders[1])


def test_minibatch_sgd_rows_count_updates_and_time_and_approach_the_best_loss() -> None:
    x, y = regression(2000)
    best_w = np.linalg.lstsq(x, y, rcond=None)[0]
    best = np.mean((x @ best_w - y) ** 2)
    mini = minibatch_sgd(x, y, 32, 0.02, 10)
    full = minibatch_sgd(x, y, 2000, 0.02, 10)
    assert mini.shape == full.shape == (10, 3)
    np.testing.assert_array_equal(mini[:, 0], 63 * np.arange(1, 11))  # ceil(2000 / 32) per epoch
    np.testing.assert_array_equal(full[:, 0], np.arange(1, 11))
    assert np.all(np.diff(mini[:, 1]) > 0)
    assert mini[-1, 2] < 1.05 * best < full[-1, 2] / 5


def test_minibatch_sgd_epoch_loss_is_the_one_keras_prints_for_the_same_model() -> None:
    # The same linear model in Keras: one Dense unit without bias, from w = 0, plain SGD, MSE.
    # Shuffling differs, so the numbers differ a little; a loss summed per batch, or averaged
    # over batches of the wrong size, is off by a factor near the batch size.
    x, y = regression(1000, seed=3)
    model = keras.Sequential(
        [keras.Input((20,)), keras.layers.Dense(1, use_bias=False, kernel_initializer="zeros")]
    )
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.02), loss="mse")
    theirs = model.fit(x, y, batch_size=32, epochs=2, verbose=0).history["loss"]
    ours = minibatch_sgd(x, y, 32, 0.02, 2)[:, 2]
    np.testing.assert_allclose(ours, theirs, rtol=0.1)
