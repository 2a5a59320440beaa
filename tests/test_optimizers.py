"""The from-scratch NumPy optimizers make the same updates as keras.optimizers (active backend)."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from keras_tutorial.optimizers import SGD, RMSprop

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


def run_numpy(optimizer, grads_seq, start) -> list[np.ndarray]:  # noqa: ANN001
    params = [value.copy() for value in start]
    for grads in grads_seq:
        optimizer.apply(params, grads)
    return params


CASES = {
    "sgd": (lambda: SGD(learning_rate=0.01), lambda: keras.optimizers.SGD(learning_rate=0.01)),
    "momentum": (
        lambda: SGD(learning_rate=0.01, momentum=0.9),
        lambda: keras.optimizers.SGD(learning_rate=0.01, momentum=0.9, nesterov=False),
    ),
    "momentum_0.5": (
        lambda: SGD(learning_rate=0.05, momentum=0.5),
        lambda: keras.optimizers.SGD(learning_rate=0.05, momentum=0.5),
    ),
    "rmsprop_defaults": (lambda: RMSprop(), lambda: keras.optimizers.RMSprop()),
    "rmsprop_custom": (
        lambda: RMSprop(learning_rate=0.01, rho=0.8, epsilon=1e-6),
        lambda: keras.optimizers.RMSprop(learning_rate=0.01, rho=0.8, epsilon=1e-6),
    ),
}


@pytest.mark.parametrize("scale", [1.0, 1e-4], ids=["grad~1", "grad~1e-4"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_same_updates_as_keras_after_100_steps(case: str, scale: float) -> None:
    make_ours, make_keras = CASES[case]
    grads_seq = gradient_sequence(seed=7, scale=scale)
    start = initial_values(seed=7)
    ours = run_numpy(make_ours(), grads_seq, start)
    theirs = run_keras(make_keras(), grads_seq, start)
    for mine, reference, initial in zip(ours, theirs, start, strict=True):
        assert mine.dtype == np.float32
        np.testing.assert_allclose(mine, reference, rtol=0, atol=TOLERANCE)
        # The parameters did move, so the comparison is not between two untouched arrays.
        assert np.abs(mine - initial).max() > 100 * TOLERANCE * scale


class EpsilonOutsideRMSprop(RMSprop):
    """A plausible mistake: w -= lr * g / (sqrt(s) + epsilon), as in some textbooks."""

    def _update(self, key, param, grad):  # noqa: ANN001
        s = self._slot(key, param)
        s *= param.dtype.type(self.rho)
        s += param.dtype.type(1 - self.rho) * grad * grad
        param -= param.dtype.type(self.learning_rate) * grad / (np.sqrt(s) + self.epsilon)


@pytest.mark.parametrize(
    ("wrong", "make_keras", "scale"),
    [
        (lambda: SGD(0.01), lambda: keras.optimizers.SGD(0.01, momentum=0.9), 1.0),
        (
            lambda: SGD(0.01, momentum=0.9),
            lambda: keras.optimizers.SGD(0.01, momentum=0.9, nesterov=True),
            1.0,
        ),
        # With small gradients the placement of epsilon matters.
        (lambda: EpsilonOutsideRMSprop(), lambda: keras.optimizers.RMSprop(), 1e-4),
    ],
    ids=["no-momentum", "nesterov", "epsilon-outside-sqrt"],
)
def test_comparison_detects_a_different_rule(wrong, make_keras, scale: float) -> None:  # noqa: ANN001
    grads_seq = gradient_sequence(seed=3, scale=scale)
    start = initial_values(seed=3)
    ours = run_numpy(wrong(), grads_seq, start)
    theirs = run_keras(make_keras(), grads_seq, start)
    assert max(np.abs(a - b).max() for a, b in zip(ours, theirs, strict=True)) > 10 * TOLERANCE


def test_dict_params_are_updated_in_place_with_state_per_key() -> None:
    params = {"w": np.array([1.0, -2.0]), "b": np.array(0.5)}
    same_w = params["w"]
    optimizer = SGD(learning_rate=0.1, momentum=0.9)
    grads = {"w": np.array([1.0, 1.0]), "b": np.array(-1.0)}
    optimizer.apply(params, grads)
    optimizer.apply(params, grads)
    assert params["w"] is same_w
    # v1 = -0.1 g, v2 = 0.9 v1 - 0.1 g = -0.19 g: w moves by -0.29 g in total.
    np.testing.assert_allclose(params["w"], [1.0 - 0.29, -2.0 - 0.29])
    np.testing.assert_allclose(params["b"], 0.5 + 0.29)
    assert optimizer.iterations == 2


def test_rmsprop_first_step_matches_formula() -> None:
    w = np.array([1.0])
    RMSprop(learning_rate=0.1).apply([w], [np.array([2.0])])
    # s = 0.1 * 4 = 0.4; w = 1 - 0.1 * 2 / sqrt(0.4 + 1e-7)
    np.testing.assert_allclose(w, [1.0 - 0.2 / np.sqrt(0.4 + 1e-7)], rtol=1e-12)


@pytest.mark.parametrize(
    ("params", "grads", "error"),
    [
        ([np.zeros(3)], [np.zeros(2)], ValueError),
        ([np.zeros(3)], [np.zeros(3), np.zeros(3)], ValueError),
        ({"a": np.zeros(2)}, {"b": np.zeros(2)}, ValueError),
        ([[0.0, 1.0]], [np.zeros(2)], TypeError),
    ],
    ids=["shape", "length", "keys", "not-an-array"],
)
def test_mismatched_inputs_are_rejected(params, grads, error) -> None:  # noqa: ANN001
    with pytest.raises(error):
        SGD().apply(params, grads)


@pytest.mark.parametrize(
    "make", [lambda: SGD(0), lambda: SGD(0.1, momentum=1.5), lambda: RMSprop(rho=1.0)]
)
def test_bad_hyperparameters_are_rejected(make) -> None:  # noqa: ANN001
    with pytest.raises(ValueError):
        make()
