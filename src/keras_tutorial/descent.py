"""Chapter 4's helpers: plots, finite differences, autodiff references and timing.

What the chapter teaches (the update rules, the network, the training loop) is defined in the
chapter and generated into :mod:`keras_tutorial.ch04`; this module only measures and draws.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping

import numpy as np

from keras_tutorial.plotting import plt

Grad = Callable[[np.ndarray], np.ndarray]
Curve = Callable[[np.ndarray], np.ndarray]


def central_difference(
    fn: Callable[[], float], array: np.ndarray, index: int | tuple[int, ...], h: float = 1e-5
) -> float:
    """d fn() / d array[index] by central differences; ``array`` is restored afterwards."""
    saved = array[index]
    try:
        array[index] = saved + h
        up = fn()
        array[index] = saved - h
        down = fn()
    finally:
        array[index] = saved
    return (up - down) / (2 * h)


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """``|a - b| / (|a| + |b|)``: 0 when equal, 1 when one is zero, scale-free."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b)))


def plot_derivative(
    f: Curve,
    x0: float,
    slope: float,
    hs: np.ndarray,
    forward_err: np.ndarray,
    central_err: np.ndarray,
    name: str = "f(x)",
    *,
    xlim: tuple[float, float] = (-2.2, 2.5),
    ylim: tuple[float, float] = (-4.0, 8.0),
) -> plt.Figure:
    """Left: the curve, its tangent (``slope`` at ``x0``) and a secant. Right: the errors of the
    forward and central differences against the step h (log-log)."""
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
    xs = np.linspace(*xlim, 200)
    ax1.plot(xs, f(xs), label=name)
    ax1.plot(xs, f(x0) + slope * (xs - x0), "--", label=f"tangent at x={x0}, slope {slope}")
    ax1.plot([x0, x0 + 0.8], [f(x0), f(x0 + 0.8)], "o-", label="secant, h=0.8")
    ax1.set_ylim(*ylim)
    ax1.set_title("slope of a curve")
    ax2.loglog(hs, forward_err, "o-", label="forward difference")
    ax2.loglog(hs, central_err, "s-", label="central difference")
    ax2.set_xlabel("step h")
    ax2.set_ylabel("|error|")
    ax2.set_title("finite-difference error")
    for ax in (ax1, ax2):
        ax.legend()
        ax.grid(alpha=0.3)
    return fig


def plot_on_curve(
    ax: plt.Axes,
    f: Curve,
    paths: Mapping[str, np.ndarray],
    title: str,
    span: tuple[float, float] = (-5.0, 5.0),
) -> None:
    """Draw ``f`` in grey and each 1-D path as dots on it; x covers ``span`` and every path."""
    points = np.concatenate([np.ravel(p) for p in paths.values()])
    lo, hi = min(span[0], points.min()), max(span[1], points.max())
    pad = 0.05 * (hi - lo)
    ws = np.linspace(lo - pad, hi + pad, 300)
    ax.plot(ws, f(ws), color="gray")
    for label, path in paths.items():
        path = np.ravel(path)
        ax.plot(path, f(path), "o-", markersize=3, alpha=0.7, label=label)
    ax.set_title(title)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)


def plot_positions(ax: plt.Axes, paths: Mapping[str, np.ndarray]) -> None:
    """Position against step for each 1-D path."""
    for label, path in paths.items():
        ax.plot(np.ravel(path), label=label)
    ax.set_xlabel("step")
    ax.set_ylabel("w")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)


def plot_on_contour(
    ax: plt.Axes,
    f: Curve,
    paths: Mapping[str, np.ndarray],
    title: str,
    xlim: tuple[float, float] = (-5.0, 5.0),
    ylim: tuple[float, float] = (-2.5, 2.5),
) -> None:
    """Contour lines of ``f(w)`` (``w[..., 0]``, ``w[..., 1]``) with each 2-D path drawn on top.

    ``f`` should be >= 0 with its minimum near 0: the levels are spaced evenly on a log scale.
    """
    g1, g2 = np.meshgrid(np.linspace(*xlim, 200), np.linspace(*ylim, 200))
    values = f(np.stack([g1, g2], axis=-1))
    levels = np.geomspace(1e-3 * values.max(), values.max(), 12)
    ax.contour(g1, g2, values, levels=levels, cmap="viridis")
    for label, path in paths.items():
        ax.plot(path[:, 0], path[:, 1], "o-", markersize=3, label=label)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_title(title)
    ax.legend(fontsize=8)


def curve_panels(
    f: Curve,
    panels: Mapping[str, Mapping[str, np.ndarray]],
    span: tuple[float, float] = (-5.0, 5.0),
    positions: bool = False,
) -> plt.Figure:
    """One axes per panel (title -> 1-D paths) with :func:`plot_on_curve`; with ``positions``, a
    last axes plots the last panel's paths against step (:func:`plot_positions`)."""
    count = len(panels) + positions
    fig, axes = plt.subplots(1, count, figsize=(4.4 * count, 3.8), squeeze=False)
    for ax, (title, paths) in zip(axes[0], panels.items(), strict=False):
        plot_on_curve(ax, f, paths, title, span)
    if positions:
        plot_positions(axes[0, -1], paths)
    return fig


def contour_panels(f: Curve, panels: Mapping[str, Mapping[str, np.ndarray]]) -> plt.Figure:
    """One axes per panel (title -> 2-D paths), each drawn by :func:`plot_on_contour`."""
    fig, axes = plt.subplots(1, len(panels), figsize=(5 * len(panels) + 2, 3.8), squeeze=False)
    for ax, (title, paths) in zip(axes[0], panels.items(), strict=True):
        plot_on_contour(ax, f, paths, title)
    return fig


def seconds_per_call(fn: Callable[[], object], repeats: int = 20) -> float:
    """Mean wall time of ``fn()`` over ``repeats`` calls, after one untimed call (warm-up)."""
    fn()
    tic = time.perf_counter()
    for _ in range(repeats):
        fn()
    return (time.perf_counter() - tic) / repeats


def gradient_check(
    fn: Callable[[], float],
    params: Mapping[str, np.ndarray],
    grads: Mapping[str, np.ndarray],
    samples: int = 10,
    seed: int = 0,
) -> dict[str, float]:
    """Relative error between ``grads`` and central differences of ``fn()`` at ``samples`` random
    elements of each array in ``params`` (which ``fn`` reads; each is restored after)."""
    rng = np.random.default_rng(seed)
    errors = {}
    for name, param in params.items():
        picks = [tuple(int(rng.integers(0, n)) for n in param.shape) for _ in range(samples)]
        numeric = [central_difference(fn, param, i) for i in picks]
        errors[name] = relative_error([grads[name][i] for i in picks], numeric)
    return errors


def mse(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    """Mean squared error of the linear model ``x @ w`` against ``y``."""
    residual = x @ w - y
    return float(residual @ residual / len(y))


def linear_sgd(
    x: np.ndarray,
    y: np.ndarray,
    batch_size: int,
    epochs: int,
    learning_rate: float,
    rng: np.random.Generator,
    points: int = 150,
) -> np.ndarray:
    """Mini-batch SGD on linear regression (MSE loss) from ``w = 0``, shuffling every epoch.

    Returns rows ``(updates, seconds, loss)``, about ``points`` of them spaced evenly on a log axis
    of updates. ``seconds`` counts only the time spent computing updates, not measuring the loss.
    """
    n = len(y)
    w, clock, updates = np.zeros(x.shape[1]), 0.0, 0
    total = epochs * -(-n // batch_size)
    when = set(np.geomspace(1, total, points).astype(int))
    records = [(0, 0.0, mse(x, y, w))]
    for _ in range(epochs):
        order = rng.permutation(n)
        for begin in range(0, n, batch_size):
            tic = time.perf_counter()
            rows = order[begin : begin + batch_size]
            xb = x[rows]
            # One gradient descent step on mean((xb @ w - yb)**2).
            w = w - learning_rate * 2 * xb.T @ (xb @ w - y[rows]) / len(rows)
            clock += time.perf_counter() - tic
            updates += 1
            if updates in when:
                records.append((updates, clock, mse(x, y, w)))
    return np.array(records)


def plot_loss_records(runs: Mapping[str, np.ndarray]) -> plt.Figure:
    """Loss against updates (left) and against seconds (right), log-log, one line per run."""
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4))
    for label, rec in runs.items():
        # +1 and +1e-4 keep the starting point (0 updates, 0 s) on a log axis.
        ax1.plot(rec[:, 0] + 1, rec[:, 2], label=label)
        ax2.plot(rec[:, 1] + 1e-4, rec[:, 2], label=label)
    ax1.set_xlabel("updates + 1")
    ax2.set_xlabel("seconds (computing updates)")
    for ax in (ax1, ax2):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_ylabel("training loss (MSE)")
        ax.legend()
        ax.grid(alpha=0.3)
    return fig


def epoch_stats(seconds: np.ndarray, steps: int) -> dict[str, float]:
    """Total, first-epoch and later-epoch mean seconds, the first epoch's excess over the later
    mean, and milliseconds per batch after epoch 1 (one-off costs fall in the first epoch)."""
    seconds = np.asarray(seconds, dtype=float)
    later = seconds[1:].mean() if len(seconds) > 1 else float("nan")
    return {
        "total": float(seconds.sum()),
        "first": float(seconds[0]),
        "later": float(later),
        "first_extra": float(seconds[0] - later),
        "ms_per_batch": float(later / steps * 1e3),
    }


def print_comparison(runs: Mapping[str, tuple[np.ndarray, float]], steps: int) -> None:
    """Print two runs side by side (epoch times, ms per batch, accuracy) and which was faster.

    ``runs`` maps a name to ``(seconds of each epoch, test accuracy)``; ``steps`` is batches/epoch.
    """
    stats = {name: epoch_stats(seconds, steps) for name, (seconds, _) in runs.items()}
    labels = {
        "total": "训练总用时 total (s)",
        "first": "第 1 轮用时 first epoch (s)",
        "later": "其余各轮平均用时 later epochs (s)",
        "first_extra": "第 1 轮多出 first epoch extra (s)",
        "ms_per_batch": "其余各轮每批用时 per batch (ms)",
    }

    def row(values: Iterable[object], fmt: str, label: str = "") -> str:
        return " ".join(f"{value:{fmt}}" for value in values) + (f"   {label}" if label else "")

    print(row(runs, ">9"))
    for key, label in labels.items():
        print(row([s[key] for s in stats.values()], "9.2f", label))
    print(row([accuracy for _, accuracy in runs.values()], "9.4f", "测试准确率 test accuracy"))
    faster, *_, slower = sorted(stats, key=lambda name: stats[name]["total"])
    ratio = stats[slower]["total"] / stats[faster]["total"]
    print(f"这次运行 {faster} 更快：{slower} 的总用时是 {faster} 的 {ratio:.1f} 倍。")


def autodiff_gradients(
    params: dict[str, np.ndarray],
    x: np.ndarray,
    labels: np.ndarray,
    backend: str | None = None,
) -> dict[str, np.ndarray]:
    """Gradients of chapter 4's loss from a backend's automatic differentiation.

    The loss (mean cross-entropy of relu(x W1 + b1) W2 + b2) is written with the backend's own
    operations and differentiated by ``tf.GradientTape``, ``jax.grad`` or ``torch.autograd``, in the
    dtype of ``params`` (float64 included). ``backend`` defaults to Keras's active backend; native
    operations are used because Keras 3.15 computes float64 ``Dense`` layers in float32 on torch
    (keras-team/keras#23704).
    """
    import keras

    names = ("W1", "b1", "W2", "b2")
    dtype = params["W1"].dtype
    one_hot = np.eye(params["b2"].size, dtype=dtype)[np.asarray(labels)]
    x = np.asarray(x, dtype=dtype)
    weights = [params[k] for k in names]
    name = backend or keras.backend.backend()
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

            def jax_loss(w):  # noqa: ANN001, ANN202
                logits = jax.nn.relu(x @ w[0] + w[1]) @ w[2] + w[3]
                return -jnp.mean(jnp.sum(one_hot * jax.nn.log_softmax(logits), axis=1))

            grads = jax.grad(jax_loss)([jnp.asarray(w) for w in weights])
            arrays = [np.asarray(g) for g in grads]
    elif name == "torch":
        import torch

        tensors = [torch.tensor(w, requires_grad=True) for w in weights]
        w1, b1, w2, b2 = tensors
        logits = torch.relu(torch.from_numpy(x) @ w1 + b1) @ w2 + b2
        value = -(torch.from_numpy(one_hot) * torch.log_softmax(logits, dim=1)).sum(dim=1).mean()
        value.backward()
        arrays = [t.grad.numpy() for t in tensors]
    else:
        raise ValueError(f"unsupported backend {name!r}")
    return dict(zip(names, arrays, strict=True))
