"""Chapter 5's from-scratch NumPy network (keras_tutorial.ch05, generated from the chapter): its
gradients, its agreement with chapter 1's Keras model, and its training loop. The chapter's own
autodiff cell is run on each backend in test_ch05."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from keras_tutorial import ch05
from keras_tutorial.ch01 import build_model
from keras_tutorial.data import load_mnist

NAMES = ("W1", "b1", "W2", "b2")


def perturbed_params(seed: int, **shape: int) -> dict[str, np.ndarray]:
    """float64 parameters with non-zero biases, so that every gradient term is exercised."""
    rng = np.random.default_rng(seed)
    params = ch05.init_params(seed=seed, dtype="float64", **shape)
    params["b1"] += rng.normal(0, 0.1, params["b1"].shape)
    params["b2"] += rng.normal(0, 0.1, params["b2"].shape)
    return params


def gradients(params, x, labels) -> dict[str, np.ndarray]:
    logits, h = ch05.forward(params, x)
    return ch05.backward(params, x, h, ch05.softmax(logits), labels)


def central_difference(params, x, labels, name, index, h=1e-5) -> float:
    """d loss / d params[name][index] by central differences (independent of backward())."""
    shifted = {k: v.copy() for k, v in params.items()}
    shifted[name][index] += h
    up = ch05.loss(shifted, x, labels)
    shifted[name][index] -= 2 * h
    down = ch05.loss(shifted, x, labels)
    return (up - down) / (2 * h)


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b)))


def test_cross_entropy_is_the_mean_negative_log_of_the_right_class() -> None:
    probs = np.array([[0.5, 0.25, 0.25], [0.1, 0.8, 0.1]])
    assert ch05.cross_entropy(probs, np.array([0, 1])) == pytest.approx(
        -(np.log(0.5) + np.log(0.8)) / 2
    )
    assert ch05.cross_entropy(probs, np.array([2, 2])) == pytest.approx(
        -(np.log(0.25) + np.log(0.1)) / 2
    )


def test_softmax_rows_are_probabilities_even_for_huge_logits() -> None:
    logits = np.array([[1000.0, 1000.0, 990.0], [-5.0, 0.0, 5.0]], dtype="float32")
    probs = ch05.softmax(logits)
    assert probs.dtype == np.float32 and np.isfinite(probs).all()
    np.testing.assert_allclose(probs.sum(axis=1), 1, rtol=1e-6)
    assert probs[0, 0] == pytest.approx(probs[0, 1]) and probs[1].argmax() == 2


def test_every_gradient_of_a_small_network_matches_finite_differences() -> None:
    rng = np.random.default_rng(0)
    params = perturbed_params(0, input_dim=6, hidden=5, classes=4)
    x, labels = rng.normal(size=(7, 6)), rng.integers(0, 4, 7)
    grads = gradients(params, x, labels)
    for name in NAMES:
        numeric = np.zeros_like(params[name])
        for index in np.ndindex(params[name].shape):
            numeric[index] = central_difference(params, x, labels, name, index)
        assert relative_error(grads[name], numeric) < 1e-6, name
        assert np.abs(grads[name]).max() > 1e-4, f"{name}: gradient is trivially zero"


def test_chapter1_shape_gradients_match_finite_differences() -> None:
    rng = np.random.default_rng(1)
    params = perturbed_params(1)
    x, labels = rng.random((16, 784)), rng.integers(0, 10, 16)
    grads = gradients(params, x, labels)
    for name in NAMES:
        picks = {tuple(rng.integers(0, s) for s in params[name].shape) for _ in range(40)}
        ours = np.array([grads[name][i] for i in picks])
        numeric = np.array([central_difference(params, x, labels, name, i) for i in picks])
        assert relative_error(ours, numeric) < 1e-6, name


def test_a_wrong_backward_pass_would_be_caught() -> None:
    # Guard for the checks above: dropping the relu mask gives clearly different gradients.
    rng = np.random.default_rng(3)
    params = perturbed_params(3, input_dim=6, hidden=5, classes=4)
    x, labels = rng.normal(size=(7, 6)), rng.integers(0, 4, 7)
    logits, h = ch05.forward(params, x)
    no_mask = ch05.backward(params, x, np.abs(h) + 1e-3, ch05.softmax(logits), labels)
    numeric = np.zeros_like(params["W1"])
    for index in np.ndindex(numeric.shape):
        numeric[index] = central_difference(params, x, labels, "W1", index)
    assert relative_error(no_mask["W1"], numeric) > 1e-2


def test_forward_equals_chapter1s_keras_model_with_the_same_weights() -> None:
    rng = np.random.default_rng(4)
    params = ch05.init_params(seed=4)
    params["b1"] += rng.normal(0, 0.1, 512).astype("float32")
    model = build_model()
    model.set_weights([params[k] for k in NAMES])
    x = rng.random((64, 784)).astype("float32")
    logits, _ = ch05.forward(params, x)
    ours = ch05.softmax(logits)
    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours, keras.ops.convert_to_numpy(model(x)), atol=1e-5)


def test_initialisation_is_glorot_uniform_with_zero_biases() -> None:
    params = ch05.init_params(seed=5)
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
    assert sum(p.size for p in params.values()) == build_model().count_params()


def blobs(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Ten well separated Gaussian clusters in 784 dimensions."""
    centers = np.random.default_rng(100).normal(size=(10, 784))
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, n)
    return (centers[labels] + 2.0 * rng.normal(size=(n, 784))).astype("float32"), labels


def test_training_learns_and_keeps_float32() -> None:
    x, labels = blobs(1000, seed=1)
    x_test, labels_test = blobs(500, seed=2)
    params, history = ch05.train(x, labels, epochs=3, batch_size=64, seed=0)
    assert all(p.dtype == np.float32 for p in params.values())
    assert set(history) == {"loss", "accuracy", "seconds"}
    assert all(len(v) == 3 for v in history.values())
    assert all(s > 0 for s in history["seconds"])
    assert history["loss"][-1] < history["loss"][0]
    assert ch05.evaluate(params, x_test, labels_test) > 0.9


def test_training_repeats_with_the_same_seed() -> None:
    x, labels = blobs(300, seed=3)
    first, _ = ch05.train(x, labels, epochs=2, batch_size=32, seed=11)
    again, _ = ch05.train(x, labels, epochs=2, batch_size=32, seed=11)
    other, _ = ch05.train(x, labels, epochs=2, batch_size=32, seed=12)
    for name in NAMES:
        np.testing.assert_array_equal(first[name], again[name])
    assert not np.array_equal(first["W1"], other["W1"])


class RecordingArray(np.ndarray):
    """An array that remembers every index array it is read with (the batches a loop takes)."""

    def __getitem__(self, index):
        if isinstance(index, np.ndarray):
            self.taken.append(index.copy())
        return np.asarray(super().__getitem__(index))


def test_training_visits_every_image_once_per_epoch_in_a_new_order() -> None:
    x, labels = blobs(50, seed=7)
    spy = x.view(RecordingArray)
    spy.taken = []
    ch05.train(spy, labels, epochs=2, batch_size=16, seed=0)
    order = np.concatenate(spy.taken)
    first, second = order[:50], order[50:]
    assert len(order) == 100 and sorted(first) == sorted(second) == list(range(50))
    assert not np.array_equal(first, np.arange(50)) and not np.array_equal(first, second)


def test_epoch_loss_is_on_the_scale_keras_prints_for_chapter_1s_model() -> None:
    # Keras averages the batch losses weighted by their sizes; so must the chapter's loop (a loss
    # summed per batch instead of per sample is off by about the batch size). Different random
    # weights and orders make the numbers differ a little.
    x, labels = blobs(1000, seed=8)
    _, history = ch05.train(x, labels, epochs=1, batch_size=64, seed=0)
    keras.utils.set_random_seed(0)
    fit = build_model().fit(
        x, keras.utils.to_categorical(labels, 10), batch_size=64, epochs=1, verbose=0
    )
    assert history["loss"][0] == pytest.approx(fit.history["loss"][0], rel=0.25)


def test_a_partial_last_batch_is_trained_on() -> None:
    # 10 samples in batches of 4: the third batch has 2 samples and must still update the weights.
    x, labels = blobs(10, seed=6)
    two_batches, _ = ch05.train(x[:8], labels[:8], epochs=1, batch_size=4, seed=0)
    three, _ = ch05.train(x, labels, epochs=1, batch_size=4, seed=0)
    assert not np.array_equal(two_batches["W2"], three["W2"])


def test_evaluate_counts_rows_whose_largest_logit_is_the_label() -> None:
    params = ch05.init_params(input_dim=2, hidden=2, classes=2)
    params.update(W1=np.eye(2, dtype="float32"), W2=np.eye(2, dtype="float32"))
    x = np.array([[1, 0], [0, 1], [2, 1], [0, 3]], dtype="float32")
    assert ch05.evaluate(params, x, np.array([0, 1, 0, 0])) == 0.75


@pytest.mark.slow
def test_real_mnist_reaches_97_percent(mnist_path) -> None:
    (train_images, train_labels), (test_images, test_labels) = load_mnist(mnist_path)
    x_train = train_images.reshape(-1, 784).astype("float32") / 255
    x_test = test_images.reshape(-1, 784).astype("float32") / 255
    params, history = ch05.train(x_train, train_labels, epochs=5, batch_size=128, seed=0)
    accuracy = ch05.evaluate(params, x_test, test_labels)
    assert history["loss"] == sorted(history["loss"], reverse=True)
    assert accuracy >= 0.97, accuracy
