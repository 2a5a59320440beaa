"""SGD, SGD with momentum and RMSprop written from scratch in NumPy (chapter 4).

Each optimizer makes the same parameter updates as its ``keras.optimizers`` namesake with the same
hyperparameters (checked by ``tests/test_optimizers.py``):

- :class:`SGD`, ``momentum=0``: ``w = w - lr * g``
- :class:`SGD`, ``momentum>0`` (``nesterov=False``): ``v = momentum * v - lr * g``; ``w = w + v``
- :class:`RMSprop` (``centered=False``, ``momentum=0``): ``s = rho * s + (1 - rho) * g**2``;
  ``w = w - lr * g / sqrt(s + epsilon)`` — epsilon goes *inside* the square root, as in Keras.

Parameters are updated in place. ``params`` and ``grads`` are either two dicts with the same keys or
two sequences of the same length; the optimizer keeps one state array per parameter.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

Arrays = Mapping[str, np.ndarray] | Sequence[np.ndarray]


def _pairs(params: Arrays, grads: Arrays) -> list[tuple[object, np.ndarray, np.ndarray]]:
    """(key, parameter, gradient) triples, checked for matching keys, shapes and writability."""
    if isinstance(params, Mapping):
        if not isinstance(grads, Mapping) or set(params) != set(grads):
            raise ValueError("params and grads must be dicts with the same keys")
        triples = [(key, params[key], grads[key]) for key in params]
    else:
        if isinstance(grads, Mapping) or len(params) != len(grads):
            raise ValueError("params and grads must be sequences of the same length")
        triples = [(index, p, g) for index, (p, g) in enumerate(zip(params, grads, strict=True))]
    for key, param, grad in triples:
        if not isinstance(param, np.ndarray) or not param.flags.writeable:
            raise TypeError(f"parameter {key!r} must be a writable NumPy array (updated in place)")
        if np.shape(grad) != param.shape:
            raise ValueError(f"gradient {key!r} has shape {np.shape(grad)}, expected {param.shape}")
    return triples


class Optimizer:
    """Base class: keeps per-parameter state and applies :meth:`_update` to each parameter."""

    def __init__(self, learning_rate: float) -> None:
        if not learning_rate > 0:
            raise ValueError(f"learning_rate must be > 0, got {learning_rate}")
        self.learning_rate = float(learning_rate)
        self.iterations = 0
        self._state: dict[object, np.ndarray] = {}

    def apply(self, params: Arrays, grads: Arrays) -> None:
        """Update every parameter in place, one step, from its gradient."""
        for key, param, grad in _pairs(params, grads):
            grad = np.asarray(grad, dtype=param.dtype)
            self._update(key, param, grad)
        self.iterations += 1

    def _slot(self, key: object, like: np.ndarray) -> np.ndarray:
        """The state array for ``key``, created as zeros on first use (as Keras does)."""
        slot = self._state.get(key)
        if slot is None:
            slot = self._state[key] = np.zeros_like(like)
        return slot

    def _update(self, key: object, param: np.ndarray, grad: np.ndarray) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with (non-Nesterov) momentum, like Keras's SGD."""

    def __init__(self, learning_rate: float = 0.01, momentum: float = 0.0) -> None:
        super().__init__(learning_rate)
        if not 0.0 <= momentum <= 1.0:
            raise ValueError(f"momentum must be in [0, 1], got {momentum}")
        self.momentum = float(momentum)

    def _update(self, key: object, param: np.ndarray, grad: np.ndarray) -> None:
        lr = param.dtype.type(self.learning_rate)
        if self.momentum == 0.0:
            param -= lr * grad
            return
        velocity = self._slot(key, param)
        # Same order of operations as Keras: v = v * momentum - g * lr; w = w + v.
        velocity *= param.dtype.type(self.momentum)
        velocity -= grad * lr
        param += velocity


class RMSprop(Optimizer):
    """RMSprop with Keras's defaults: rho 0.9, epsilon 1e-7 inside the square root, not centered."""

    def __init__(self, learning_rate: float = 0.001, rho: float = 0.9, epsilon: float = 1e-7):
        super().__init__(learning_rate)
        if not 0.0 <= rho < 1.0:
            raise ValueError(f"rho must be in [0, 1), got {rho}")
        self.rho = float(rho)
        self.epsilon = float(epsilon)
        self._scratch: dict[object, tuple[np.ndarray, np.ndarray]] = {}

    def _update(self, key: object, param: np.ndarray, grad: np.ndarray) -> None:
        dtype = param.dtype.type
        mean_square = self._slot(key, param)
        # Two scratch buffers per parameter keep the training loop free of large allocations.
        if key not in self._scratch:
            self._scratch[key] = (np.empty_like(param), np.empty_like(param))
        step, root = self._scratch[key]
        # s = rho * s + (1 - rho) * g**2
        mean_square *= dtype(self.rho)
        np.multiply(grad, grad, out=step)
        step *= dtype(1.0 - self.rho)
        mean_square += step
        # w = w - (lr * g) / sqrt(s + epsilon), in Keras's order of operations
        np.add(mean_square, dtype(self.epsilon), out=root)
        np.sqrt(root, out=root)
        np.multiply(grad, dtype(self.learning_rate), out=step)
        step /= root
        param -= step
