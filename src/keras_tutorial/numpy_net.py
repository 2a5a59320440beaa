"""Chapter 1's network written from scratch in NumPy: Dense(512, relu) -> Dense(10, softmax).

Forward pass, hand-written backward pass (softmax + categorical cross-entropy), Keras-like
initialisation (``glorot_uniform`` weights, zero biases) and a mini-batch RMSprop training loop.
Everything works in float64 (for gradient checks) and float32 (for speed).

The public API is small so that it can be benchmarked against Keras::

    params, history = train(x_train, y_train, epochs=5, batch_size=128, seed=0)
    accuracy = evaluate(params, x_test, y_test)

``x`` is ``(n, 784)`` floats; ``y`` is either integer labels ``(n,)`` or one-hot ``(n, 10)``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from keras_tutorial.optimizers import RMSprop

if TYPE_CHECKING:
    import keras

Params = dict[str, np.ndarray]
PARAM_NAMES = ("W1", "b1", "W2", "b2")


@dataclass
class Cache:
    """What the forward pass keeps for the backward pass."""

    x: np.ndarray
    hidden: np.ndarray  # relu(x @ W1 + b1)
    probs: np.ndarray  # softmax(hidden @ W2 + b2)


def init_params(
    input_dim: int = 784,
    hidden: int = 512,
    classes: int = 10,
    *,
    seed: int = 0,
    dtype: np.dtype | type = np.float32,
) -> Params:
    """Weights drawn like Keras's ``glorot_uniform``, biases zero (the Dense defaults)."""
    rng = np.random.default_rng(seed)

    def glorot(fan_in: int, fan_out: int) -> np.ndarray:
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-limit, limit, size=(fan_in, fan_out)).astype(dtype)

    return {
        "W1": glorot(input_dim, hidden),
        "b1": np.zeros(hidden, dtype=dtype),
        "W2": glorot(hidden, classes),
        "b2": np.zeros(classes, dtype=dtype),
    }


def as_labels(y: np.ndarray, classes: int) -> np.ndarray:
    """Integer labels from integer labels or one-hot rows."""
    y = np.asarray(y)
    if y.ndim == 2:
        if y.shape[1] != classes:
            raise ValueError(f"one-hot labels have {y.shape[1]} columns, expected {classes}")
        return y.argmax(axis=1)
    if y.ndim != 1:
        raise ValueError(f"labels must be (n,) integers or (n, {classes}) one-hot, got {y.shape}")
    return y.astype(np.intp, copy=False)


def _log_softmax(logits: np.ndarray) -> np.ndarray:
    # Subtracting the row maximum keeps exp() from overflowing; the result is unchanged.
    shifted = logits - logits.max(axis=1, keepdims=True)
    shifted -= np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return shifted


def forward(params: Params, x: np.ndarray) -> tuple[np.ndarray, Cache]:
    """Class probabilities for each row of ``x``, and the cache for :func:`backward`."""
    hidden = x @ params["W1"]
    hidden += params["b1"]
    np.maximum(hidden, 0, out=hidden)  # relu
    log_probs = _log_softmax(hidden @ params["W2"] + params["b2"])
    probs = np.exp(log_probs)
    return probs, Cache(x=x, hidden=hidden, probs=probs)


def cross_entropy(probs: np.ndarray, labels: np.ndarray) -> float:
    """Mean categorical cross-entropy: the average of -log(probability of the right class)."""
    picked = probs[np.arange(len(labels)), labels]
    tiny = np.finfo(probs.dtype).tiny  # log(0) would be -inf
    return float(-np.log(np.maximum(picked, tiny)).mean())


def loss(params: Params, x: np.ndarray, y: np.ndarray) -> float:
    """Mean categorical cross-entropy of the network on ``(x, y)``."""
    logits = np.maximum(x @ params["W1"] + params["b1"], 0) @ params["W2"] + params["b2"]
    log_probs = _log_softmax(logits)
    labels = as_labels(y, logits.shape[1])
    return float(-log_probs[np.arange(len(labels)), labels].mean())


def backward(params: Params, cache: Cache, y: np.ndarray) -> Params:
    """Gradients of the mean cross-entropy with respect to W1, b1, W2, b2 (the chain rule)."""
    labels = as_labels(y, cache.probs.shape[1])
    n = len(labels)
    # Softmax followed by cross-entropy has the simple derivative (probs - one_hot) / n.
    d_logits = cache.probs.copy()
    d_logits[np.arange(n), labels] -= 1
    d_logits /= n
    # logits = hidden @ W2 + b2
    d_w2 = cache.hidden.T @ d_logits
    d_b2 = d_logits.sum(axis=0)
    d_hidden = d_logits @ params["W2"].T
    # hidden = relu(z1): the gradient passes where z1 > 0 and is blocked elsewhere.
    d_hidden *= cache.hidden > 0
    # z1 = x @ W1 + b1
    d_w1 = cache.x.T @ d_hidden
    d_b1 = d_hidden.sum(axis=0)
    return {"W1": d_w1, "b1": d_b1, "W2": d_w2, "b2": d_b2}


def loss_and_gradients(params: Params, x: np.ndarray, y: np.ndarray) -> tuple[float, Params]:
    """The loss and its gradients in one forward and one backward pass."""
    probs, cache = forward(params, x)
    return cross_entropy(probs, as_labels(y, probs.shape[1])), backward(params, cache, y)


def predict(params: Params, x: np.ndarray, batch_size: int = 2048) -> np.ndarray:
    """Class probabilities, computed in batches to bound memory."""
    x = np.asarray(x, dtype=params["W1"].dtype)
    chunks = [forward(params, x[i : i + batch_size])[0] for i in range(0, len(x), batch_size)]
    return np.concatenate(chunks) if chunks else np.empty((0, params["b2"].size))


def evaluate(params: Params, x: np.ndarray, y: np.ndarray) -> float:
    """Accuracy: the fraction of rows whose most probable class is the label."""
    labels = as_labels(y, params["b2"].size)
    return float((predict(params, x).argmax(axis=1) == labels).mean())


def train(
    x: np.ndarray,
    y: np.ndarray,
    *,
    epochs: int = 5,
    batch_size: int = 128,
    seed: int = 0,
    learning_rate: float = 0.001,
    hidden: int = 512,
    dtype: np.dtype | type = np.float32,
    verbose: bool = False,
) -> tuple[Params, dict[str, list[float]]]:
    """Train from scratch with mini-batch RMSprop, shuffling every epoch as ``Model.fit`` does.

    Returns the parameters and a history with, per epoch, the mean training ``loss``, the training
    ``accuracy`` (both over the batches as they were seen) and the wall-clock ``seconds``.
    """
    if epochs < 1 or batch_size < 1:
        raise ValueError("epochs and batch_size must be >= 1")
    x = np.ascontiguousarray(x, dtype=dtype)
    if x.ndim != 2:
        raise ValueError(f"x must be (n, features), got shape {x.shape}")
    classes = int(np.asarray(y).shape[1]) if np.ndim(y) == 2 else 10
    labels = as_labels(y, classes)
    if len(labels) != len(x):
        raise ValueError(f"x has {len(x)} rows but y has {len(labels)}")
    if len(labels) and (labels.min() < 0 or labels.max() >= classes):
        raise ValueError(f"labels must be integers in [0, {classes})")
    n = len(x)
    rng = np.random.default_rng(seed)
    params = init_params(x.shape[1], hidden, classes, seed=seed, dtype=dtype)
    optimizer = RMSprop(learning_rate=learning_rate)
    history: dict[str, list[float]] = {"loss": [], "accuracy": [], "seconds": []}
    # Shuffled copies are written into the same buffers every epoch, so batches are contiguous.
    x_shuffled = np.empty_like(x)
    labels_shuffled = np.empty_like(labels)
    rows = np.arange(batch_size)
    for epoch in range(epochs):
        start = time.perf_counter()
        order = rng.permutation(n)
        np.take(x, order, axis=0, out=x_shuffled)
        np.take(labels, order, out=labels_shuffled)
        total_loss = 0.0
        correct = 0
        for begin in range(0, n, batch_size):
            xb = x_shuffled[begin : begin + batch_size]
            yb = labels_shuffled[begin : begin + batch_size]
            probs, cache = forward(params, xb)
            picked = probs[rows[: len(yb)], yb]
            total_loss -= float(np.log(np.maximum(picked, np.finfo(probs.dtype).tiny)).sum())
            correct += int((probs.argmax(axis=1) == yb).sum())
            optimizer.apply(params, backward(params, cache, yb))
        history["loss"].append(total_loss / n)
        history["accuracy"].append(correct / n)
        history["seconds"].append(time.perf_counter() - start)
        if verbose:
            print(
                f"epoch {epoch + 1}/{epochs} - loss {history['loss'][-1]:.4f} - "
                f"accuracy {history['accuracy'][-1]:.4f} - {history['seconds'][-1]:.1f} s",
                flush=True,
            )
    return params, history


def to_keras(params: Params) -> keras.Model:
    """Chapter 1's Keras model (Dense relu -> Dense softmax) holding these parameters."""
    import keras

    dtype = str(params["W1"].dtype)
    model = keras.Sequential(
        [
            keras.Input(shape=(params["W1"].shape[0],), dtype=dtype),
            keras.layers.Dense(params["b1"].size, activation="relu", dtype=dtype),
            keras.layers.Dense(params["b2"].size, activation="softmax", dtype=dtype),
        ]
    )
    model.set_weights([params[k] for k in PARAM_NAMES])
    return model


def autodiff_loss_and_gradients(
    params: Params, x: np.ndarray, y: np.ndarray
) -> tuple[float, Params]:
    """Reference values from the active Keras backend's automatic differentiation.

    The same loss is written with the backend's own operations and differentiated by
    ``tf.GradientTape``, ``jax.grad`` or ``torch.autograd``, in the dtype of ``params``
    (float64 included). Native operations are used rather than Keras layers because Keras 3.15
    computes float64 ``Dense`` layers in float32 on the torch backend (keras-team/keras#23704).
    """
    import keras

    dtype = params["W1"].dtype
    classes = params["b2"].size
    one_hot = np.eye(classes, dtype=dtype)[as_labels(y, classes)]
    x = np.asarray(x, dtype=dtype)
    weights = [params[k] for k in PARAM_NAMES]
    name = keras.backend.backend()
    if name == "tensorflow":
        import tensorflow as tf

        variables = [tf.Variable(w) for w in weights]
        with tf.GradientTape() as tape:
            w1, b1, w2, b2 = variables
            logits = tf.nn.relu(x @ w1 + b1) @ w2 + b2
            value = -tf.reduce_mean(tf.reduce_sum(one_hot * tf.nn.log_softmax(logits), axis=1))
        arrays = [g.numpy() for g in tape.gradient(value, variables)]
    elif name == "jax":
        import jax
        import jax.numpy as jnp

        # JAX silently computes in float32 unless 64-bit mode is on.
        with jax.enable_x64(dtype == np.float64):

            def jax_loss(w):
                logits = jax.nn.relu(x @ w[0] + w[1]) @ w[2] + w[3]
                return -jnp.mean(jnp.sum(one_hot * jax.nn.log_softmax(logits), axis=1))

            value, grads = jax.value_and_grad(jax_loss)([jnp.asarray(w) for w in weights])
            arrays = [np.asarray(g) for g in grads]
    elif name == "torch":
        import torch

        tensors = [torch.tensor(w, requires_grad=True) for w in weights]
        w1, b1, w2, b2 = tensors
        logits = torch.relu(torch.from_numpy(x) @ w1 + b1) @ w2 + b2
        target = torch.from_numpy(one_hot)
        value = -(target * torch.log_softmax(logits, dim=1)).sum(dim=1).mean()
        value.backward()
        arrays = [t.grad.numpy() for t in tensors]
        value = value.detach()
    else:
        raise RuntimeError(f"unsupported Keras backend {name!r}")
    return float(value), dict(zip(PARAM_NAMES, arrays, strict=True))
