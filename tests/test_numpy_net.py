"""The from-scratch NumPy network: its gradients, its agreement with Keras, and its training."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from keras_tutorial import numpy_net
from keras_tutorial.data import load_mnist

NAMES = numpy_net.PARAM_NAMES


def perturbed_params(seed: int, **shape: int) -> numpy_net.Params:
    """float64 parameters with non-zero biases, so that every gradient term is exercised."""
    rng = np.random.default_rng(seed)
    params = numpy_net.init_params(seed=seed, dtype=np.float64, **shape)
    params["b1"] += rng.normal(0, 0.1, params["b1"].shape)
    params["b2"] += rng.normal(0, 0.1, params["b2"].shape)
    return params


def central_difference(params, x, y, name, index, h=1e-5) -> float:  # noqa: ANN001
    """d loss / d params[name][index] by central differences (independent of backward())."""
    shifted = {k: v.copy() for k, v in params.items()}
    shifted[name][index] += h
    up = numpy_net.loss(shifted, x, y)
    shifted[name][index] -= 2 * h
    down = numpy_net.loss(shifted, x, y)
    return (up - down) / (2 * h)


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b)))


def test_every_gradient_of_a_small_network_matches_finite_differences() -> None:
    rng = np.random.default_rng(0)
    params = perturbed_params(0, input_dim=6, hidden=5, classes=4)
    x, y = rng.normal(size=(7, 6)), rng.integers(0, 4, 7)
    _, grads = numpy_net.loss_and_gradients(params, x, y)
    for name in NAMES:
        numeric = np.zeros_like(params[name])
        for index in np.ndindex(params[name].shape):
            numeric[index] = central_difference(params, x, y, name, index)
        assert relative_error(grads[name], numeric) < 1e-6, name
        assert np.abs(grads[name]).max() > 1e-4, f"{name}: gradient is trivially zero"


def test_chapter1_shape_gradients_match_finite_differences() -> None:
    rng = np.random.default_rng(1)
    params = perturbed_params(1)
    x, y = rng.random((16, 784)), rng.integers(0, 10, 16)
    _, grads = numpy_net.loss_and_gradients(params, x, y)
    for name in NAMES:
        picks = {tuple(rng.integers(0, s) for s in params[name].shape) for _ in range(40)}
        ours = np.array([grads[name][i] for i in picks])
        numeric = np.array([central_difference(params, x, y, name, i) for i in picks])
        assert relative_error(ours, numeric) < 1e-6, name


def test_gradients_match_the_backend_autodiff() -> None:
    rng = np.random.default_rng(2)
    params = perturbed_params(2)
    x, y = rng.random((32, 784)), rng.integers(0, 10, 32)
    one_hot = np.eye(10)[y]
    value, grads = numpy_net.loss_and_gradients(params, x, one_hot)
    ref_value, ref_grads = numpy_net.autodiff_loss_and_gradients(params, x, y)
    assert value == pytest.approx(ref_value, rel=1e-12)
    for name in NAMES:
        assert ref_grads[name].dtype == np.float64, keras.backend.backend()
        assert ref_grads[name].shape == params[name].shape
        assert relative_error(grads[name], ref_grads[name]) < 1e-10, name


def test_a_wrong_backward_pass_would_be_caught() -> None:
    # Guard for the checks above: dropping the relu mask gives clearly different gradients.
    rng = np.random.default_rng(3)
    params = perturbed_params(3)
    x, y = rng.random((16, 784)), rng.integers(0, 10, 16)
    probs, cache = numpy_net.forward(params, x)
    no_mask = numpy_net.Cache(x=cache.x, hidden=np.abs(cache.hidden) + 1e-3, probs=probs)
    wrong = numpy_net.backward(params, no_mask, y)
    _, ref = numpy_net.autodiff_loss_and_gradients(params, x, y)
    assert relative_error(wrong["W1"], ref["W1"]) > 1e-2


def test_forward_equals_the_chapter1_keras_model() -> None:
    rng = np.random.default_rng(4)
    params = numpy_net.init_params(seed=4)
    params["b1"] += rng.normal(0, 0.1, 512).astype("float32")
    x = rng.random((64, 784)).astype("float32")
    ours = numpy_net.predict(params, x)
    theirs = keras.ops.convert_to_numpy(numpy_net.to_keras(params)(x))
    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours.sum(axis=1), 1, atol=1e-5)
    np.testing.assert_allclose(ours, theirs, atol=1e-5)


def test_initialisation_is_glorot_uniform_with_zero_biases() -> None:
    params = numpy_net.init_params(seed=5)
    for name, (fan_in, fan_out) in {"W1": (784, 512), "W2": (512, 10)}.items():
        weights = params[name]
        limit = np.sqrt(6 / (fan_in + fan_out))
        assert weights.shape == (fan_in, fan_out) and weights.dtype == np.float32
        assert np.abs(weights).max() <= limit
        # A uniform distribution on [-limit, limit] has standard deviation limit / sqrt(3).
        assert weights.std() == pytest.approx(limit / np.sqrt(3), rel=0.05)
        reference = keras.initializers.GlorotUniform(seed=0)((fan_in, fan_out))
        assert weights.std() == pytest.approx(float(keras.ops.std(reference)), rel=0.05)
    assert not params["b1"].any() and not params["b2"].any()


def blobs(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Ten well separated Gaussian clusters in 784 dimensions."""
    centers = np.random.default_rng(100).normal(size=(10, 784))
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, n)
    return (centers[labels] + 2.0 * rng.normal(size=(n, 784))).astype("float32"), labels


def test_training_learns_and_keeps_the_dtype() -> None:
    x, y = blobs(1000, seed=1)
    x_test, y_test = blobs(500, seed=2)
    params, history = numpy_net.train(x, y, epochs=3, batch_size=64, seed=0, hidden=64)
    assert all(p.dtype == np.float32 for p in params.values())
    assert set(history) == {"loss", "accuracy", "seconds"}
    assert all(len(v) == 3 for v in history.values())
    assert history["loss"][-1] < history["loss"][0]
    assert numpy_net.evaluate(params, x_test, y_test) > 0.9
    params64, _ = numpy_net.train(x, y, epochs=1, seed=0, hidden=16, dtype=np.float64)
    assert all(p.dtype == np.float64 for p in params64.values())


def test_training_repeats_with_the_same_seed() -> None:
    x, y = blobs(300, seed=3)
    first, _ = numpy_net.train(x, y, epochs=2, batch_size=32, seed=11, hidden=32)
    again, _ = numpy_net.train(x, y, epochs=2, batch_size=32, seed=11, hidden=32)
    other, _ = numpy_net.train(x, y, epochs=2, batch_size=32, seed=12, hidden=32)
    for name in NAMES:
        np.testing.assert_array_equal(first[name], again[name])
    assert not np.array_equal(first["W1"], other["W1"])


def test_one_hot_and_integer_labels_give_the_same_result() -> None:
    x, y = blobs(200, seed=4)
    by_label, _ = numpy_net.train(x, y, epochs=1, batch_size=50, seed=0, hidden=16)
    by_one_hot, _ = numpy_net.train(x, np.eye(10)[y], epochs=1, batch_size=50, seed=0, hidden=16)
    np.testing.assert_array_equal(by_label["W1"], by_one_hot["W1"])
    assert numpy_net.evaluate(by_label, x, y) == numpy_net.evaluate(by_label, x, np.eye(10)[y])


def test_bad_inputs_are_rejected() -> None:
    x, y = blobs(20, seed=5)
    with pytest.raises(ValueError, match="rows"):
        numpy_net.train(x, y[:10], epochs=1)
    with pytest.raises(ValueError, match=r"\[0, 10\)"):
        numpy_net.train(x, y + 5, epochs=1)
    with pytest.raises(ValueError, match="labels must be"):
        numpy_net.train(x, y.reshape(-1, 1, 1), epochs=1)
    with pytest.raises(ValueError):
        numpy_net.train(x, y, epochs=0)


@pytest.mark.slow
def test_real_mnist_reaches_97_percent(mnist_path) -> None:  # noqa: ANN001
    (train_images, train_labels), (test_images, test_labels) = load_mnist(mnist_path)
    x_train = train_images.reshape(-1, 784).astype("float32") / 255
    x_test = test_images.reshape(-1, 784).astype("float32") / 255
    params, history = numpy_net.train(x_train, train_labels, epochs=5, batch_size=128, seed=0)
    accuracy = numpy_net.evaluate(params, x_test, test_labels)
    assert history["loss"] == sorted(history["loss"], reverse=True)
    assert accuracy >= 0.97, accuracy
