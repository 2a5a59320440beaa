"""Chapter 4's demonstrations: descent paths behave as the chapter says they do."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from keras_tutorial import descent, numpy_net
from keras_tutorial.optimizers import SGD, RMSprop
from keras_tutorial.plotting import plt


def quadratic_grad(w: np.ndarray) -> np.ndarray:
    """Gradient of f(w) = sum((w - 3)**2), whose minimum is at w = 3."""
    return 2 * (w - 3.0)


def wells(w: np.ndarray) -> np.ndarray:
    return w**4 - 2 * w**2 + 0.5 * w


def wells_grad(w: np.ndarray) -> np.ndarray:
    return 4 * w**3 - 4 * w + 0.5


def bowl(w: np.ndarray) -> np.ndarray:
    return 0.5 * (w[..., 0] ** 2 + 10 * w[..., 1] ** 2)


def bowl_grad(w: np.ndarray) -> np.ndarray:
    return np.array([w[0], 10 * w[1]])


def test_path_starts_at_start_and_has_one_row_per_step() -> None:
    path = descent.optimizer_path(SGD(0.1), quadratic_grad, (0.0, 1.0), 7)
    assert path.shape == (8, 2)
    np.testing.assert_array_equal(path[0], [0.0, 1.0])
    # A number as start is a one-dimensional problem.
    assert descent.optimizer_path(SGD(0.1), quadratic_grad, 1.0, 4).shape == (5, 1)


def test_descent_on_a_quadratic_converges_to_the_minimum() -> None:
    path = descent.optimizer_path(SGD(0.1), quadratic_grad, (-4.0, 10.0), 100)
    np.testing.assert_allclose(path[-1], [3.0, 3.0], atol=1e-6)
    # With a small enough step the distance to the minimum shrinks at every step.
    distance = np.linalg.norm(path - 3.0, axis=1)
    assert np.all(np.diff(distance) < 0)


def test_one_step_is_w_minus_lr_times_gradient() -> None:
    path = descent.optimizer_path(SGD(0.25), quadratic_grad, 5.0, 1)
    assert path[1, 0] == pytest.approx(5.0 - 0.25 * 2 * (5.0 - 3.0))


def test_too_large_a_step_diverges() -> None:
    # For f(w) = (w - 3)**2 every step multiplies the distance to 3 by |1 - 2 lr|; lr > 1 grows it.
    path = descent.optimizer_path(SGD(1.05), quadratic_grad, 4.0, 30)
    distance = np.abs(path[:, 0] - 3.0)
    assert np.all(np.diff(distance) > 0)
    assert distance[-1] > 10 * distance[0]


def test_the_bowl_diverges_above_two_over_its_steepest_curvature() -> None:
    good = descent.optimizer_path(SGD(0.15), bowl_grad, (-4.5, 2.0), 30)
    bad = descent.optimizer_path(SGD(0.205), bowl_grad, (-4.5, 2.0), 30)
    assert bowl(good[-1]) < 1e-2 < bowl(good[0]) < bowl(bad[-1])


def test_momentum_passes_the_local_minimum_where_plain_descent_stops() -> None:
    plain = descent.optimizer_path(SGD(0.01), wells_grad, 1.8, 200)[:, 0]
    rolling = descent.optimizer_path(SGD(0.01, momentum=0.9), wells_grad, 1.8, 200)[:, 0]
    # Plain descent settles in the right-hand (local) minimum and never crosses the hump near 0.
    assert plain[-1] == pytest.approx(0.93, abs=0.01)
    assert plain.min() > 0.5
    # Momentum crosses it and ends in the lower, left-hand minimum.
    assert rolling[-1] == pytest.approx(-1.06, abs=0.01)
    assert wells(rolling[-1]) < wells(plain[-1]) - 0.5
    assert abs(wells_grad(rolling[-1])) < 1e-2


def test_keras_path_matches_ours_for_momentum() -> None:
    ours = descent.optimizer_path(SGD(0.01, momentum=0.9), wells_grad, 1.8, 50, dtype="float32")
    theirs = descent.keras_optimizer_path(
        keras.optimizers.SGD(learning_rate=0.01, momentum=0.9), wells_grad, 1.8, 50
    )
    assert theirs.shape == ours.shape == (51, 1)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-6)
    # A different rule (no momentum) gives a clearly different path, so the check can fail.
    plain = descent.keras_optimizer_path(keras.optimizers.SGD(0.01), wells_grad, 1.8, 50)
    assert np.abs(plain - theirs).max() > 0.1


def test_central_difference_is_accurate_and_restores_the_array() -> None:
    w = np.array([1.5, -0.5])
    value = descent.central_difference(lambda: float(np.sum(w**3)), w, 0)
    assert value == pytest.approx(3 * 1.5**2, rel=1e-8)
    np.testing.assert_array_equal(w, [1.5, -0.5])


def test_central_difference_restores_the_array_when_fn_fails() -> None:
    w = np.array([2.0])

    def failing() -> float:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        descent.central_difference(failing, w, 0)
    assert w[0] == 2.0


def test_relative_error() -> None:
    assert descent.relative_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert descent.relative_error([1.0, 0.0], [0.0, 0.0]) == 1.0
    assert descent.relative_error([1.0], [1.0 + 1e-6]) == pytest.approx(5e-7, rel=1e-3)


def test_linear_sgd_records_and_batch_sizes() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 5))
    y = x @ rng.normal(size=5) + 0.1 * rng.normal(size=200)
    best = descent.mse(x, y, np.linalg.lstsq(x, y, rcond=None)[0])
    full = descent.linear_sgd(x, y, 200, 10, 0.05, rng)
    mini = descent.linear_sgd(x, y, 20, 10, 0.05, rng)
    # Rows are (updates, seconds, loss), starting from w = 0 and ending after the last update.
    assert full[0, 0] == 0 and full[0, 2] == pytest.approx(descent.mse(x, y, np.zeros(5)))
    assert full[-1, 0] == 10 and mini[-1, 0] == 100
    assert np.all(np.diff(mini[:, 0]) > 0) and np.all(np.diff(mini[:, 1]) >= 0)
    # Ten times as many updates from the same epochs: mini-batches get much closer to the best.
    assert mini[-1, 2] < full[-1, 2] / 5
    assert mini[-1, 2] < 2 * best


def test_epoch_stats() -> None:
    stats = descent.epoch_stats(np.array([5.0, 2.0, 4.0]), steps=100)
    assert stats == {"total": 11.0, "first": 5.0, "later": 3.0, "ms_per_batch": 30.0}
    assert np.isnan(descent.epoch_stats([1.0], steps=10)["later"])


def test_print_comparison_names_the_faster_run(capsys: pytest.CaptureFixture[str]) -> None:
    descent.print_comparison(
        {"NumPy": (np.array([3.0, 3.0]), 0.98), "Keras": (np.array([2.0, 1.0]), 0.97)}, steps=10
    )
    out = capsys.readouterr().out
    assert "这次运行 Keras 更快，总用时相差 2.0 倍。" in out
    assert "0.9800    0.9700" in out
    assert "  6.00      3.00   训练总用时" in out


def test_time_numpy_step_parts() -> None:
    params = numpy_net.init_params(input_dim=20, hidden=8, seed=0)
    before = {k: v.copy() for k, v in params.items()}
    x = np.random.default_rng(0).random((16, 20), dtype=np.float32)
    parts = descent.time_numpy_step(params, x, np.arange(16) % 10, repeats=2)
    assert list(parts)[:3] == ["forward", "backward", "RMSprop update"]
    assert all(seconds > 0 for seconds in parts.values())
    assert parts["sum of the three"] == pytest.approx(sum(list(parts.values())[:3]))
    for name in numpy_net.PARAM_NAMES:  # timing the update must not train the network
        np.testing.assert_array_equal(params[name], before[name])


def test_seconds_per_call_rejects_no_repeats() -> None:
    with pytest.raises(ValueError):
        descent.seconds_per_call(lambda: None, repeats=0)


def test_plots_draw_every_path() -> None:
    paths = {
        "SGD": descent.optimizer_path(SGD(0.15), bowl_grad, (-4.5, 2.0), 5),
        "RMSprop": descent.optimizer_path(RMSprop(0.3), bowl_grad, (-4.5, 2.0), 5),
    }
    fig, (ax1, ax2, ax3) = plt.subplots(1, 3)
    descent.plot_on_contour(ax1, bowl, paths, "bowl")
    assert [line.get_label() for line in ax1.get_lines()] == ["SGD", "RMSprop"]
    # A diverging 1-D path stays inside the drawn x range.
    far = {"far": descent.optimizer_path(SGD(1.05), quadratic_grad, 4.0, 12)}
    descent.plot_on_curve(ax2, np.square, far, "curve")
    lo, hi = ax2.get_lines()[0].get_xdata()[[0, -1]]
    assert lo <= far["far"].min() and hi >= far["far"].max()
    descent.plot_positions(ax3, far)
    assert len(ax3.get_lines()[0].get_xdata()) == 13
    plt.close(fig)
