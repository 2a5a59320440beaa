"""Hand-written JAX reference for chapter 1's model: the yardstick of `make bench`.

Same network (784 → Dense 512 relu → Dense 10 softmax), same initialisation (Glorot uniform, zero
bias), same optimizer (RMSprop, learning rate 1e-3, rho 0.9, epsilon 1e-7), batch 128, 5 epochs. The
data stay on the device and each epoch is one compiled ``lax.scan`` over its batches, so the time is
close to what this machine can do for this job.
"""

from __future__ import annotations

import time

from benchmarks import _job
from benchmarks.tuning import frozen_imports

# The yardstick imports JAX the lightest way we know (see tuning.frozen_imports), as the "tuned"
# rows import Keras.
with frozen_imports():
    import jax
    import jax.numpy as jnp
    import numpy as np

LEARNING_RATE, RHO, EPSILON = 1e-3, 0.9, 1e-7


def glorot(key: jax.Array, fan_in: int, fan_out: int) -> jax.Array:
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return jax.random.uniform(key, (fan_in, fan_out), jnp.float32, -limit, limit)


def init(key: jax.Array) -> dict[str, jax.Array]:
    k1, k2 = jax.random.split(key)
    return {
        "w1": glorot(k1, 784, 512),
        "b1": jnp.zeros(512),
        "w2": glorot(k2, 512, 10),
        "b2": jnp.zeros(10),
    }


def logits(params: dict[str, jax.Array], x: jax.Array) -> jax.Array:
    hidden = jax.nn.relu(x @ params["w1"] + params["b1"])
    return hidden @ params["w2"] + params["b2"]


def loss_fn(params: dict[str, jax.Array], x: jax.Array, y: jax.Array) -> jax.Array:
    return -jnp.mean(jnp.sum(y * jax.nn.log_softmax(logits(params, x)), axis=1))


def step(carry, batch):
    params, square_avg = carry
    loss, grads = jax.value_and_grad(loss_fn)(params, *batch)
    square_avg = jax.tree.map(lambda s, g: RHO * s + (1 - RHO) * g * g, square_avg, grads)
    params = jax.tree.map(
        lambda p, g, s: p - LEARNING_RATE * g / (jnp.sqrt(s) + EPSILON), params, grads, square_avg
    )
    return (params, square_avg), loss


@jax.jit
def epoch(params, square_avg, x, y, key):
    """One pass over shuffled data, as one compiled loop (the last partial batch is dropped)."""
    batches = x.shape[0] // 128
    order = jax.random.permutation(key, x.shape[0])[: batches * 128]
    xb = x[order].reshape(batches, 128, -1)
    yb = y[order].reshape(batches, 128, -1)
    (params, square_avg), losses = jax.lax.scan(step, (params, square_avg), (xb, yb))
    return params, square_avg, losses.mean()


def main() -> None:
    args = _job.parse(__doc__.splitlines()[0])
    x_train, y_train, x_test, y_test = _job.mnist_flat(args.limit)
    x = jnp.asarray(x_train)
    y = jax.nn.one_hot(jnp.asarray(y_train), 10)
    key = jax.random.PRNGKey(0)
    params = init(key)
    square_avg = jax.tree.map(jnp.zeros_like, params)
    start = time.perf_counter()
    for _ in range(args.epochs):
        key, sub = jax.random.split(key)
        params, square_avg, loss = epoch(params, square_avg, x, y, sub)
    loss.block_until_ready()
    seconds = time.perf_counter() - start
    predicted = jnp.argmax(logits(params, jnp.asarray(x_test)), axis=1)
    accuracy = float(jnp.mean(predicted == jnp.asarray(y_test)))
    device = str(jax.devices()[0])
    _job.report("JAX reference (lax.scan)", device, args.epochs, seconds, accuracy)


if __name__ == "__main__":
    main()
