"""Chapter 4's descent paths behave as the chapter says they do; keras_tutorial.descent's helpers
measure and draw correctly."""

from __future__ import annotations

import numpy as np
import pytest

from keras_tutorial import descent
from keras_tutorial.ch04 import descend, momentum_step, rmsprop_step, sgd_step
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
    path = descend(sgd_step, quadratic_grad, (0.0, 1.0), 7, learning_rate=0.1)
    assert path.shape == (8, 2) and path.dtype == np.float64
    np.testing.assert_array_equal(path[0], [0.0, 1.0])
    # A number as start is a one-dimensional problem; float32 stays float32 along the way.
    one_d = descend(momentum_step, quadratic_grad, 1.0, 4, dtype="float32", learning_rate=0.1)
    assert one_d.shape == (5, 1) and one_d.dtype == np.float32


def test_descent_on_a_quadratic_converges_to_the_minimum() -> None:
    path = descend(sgd_step, quadratic_grad, (-4.0, 10.0), 100, learning_rate=0.1)
    np.testing.assert_allclose(path[-1], [3.0, 3.0], atol=1e-6)
    # With a small enough step the distance to the minimum shrinks at every step.
    distance = np.linalg.norm(path - 3.0, axis=1)
    assert np.all(np.diff(distance) < 0)


def test_one_step_is_w_minus_lr_times_gradient() -> None:
    path = descend(sgd_step, quadratic_grad, 5.0, 1, learning_rate=0.25)
    assert path[1, 0] == pytest.approx(5.0 - 0.25 * 2 * (5.0 - 3.0))


def test_too_large_a_step_diverges() -> None:
    # For f(w) = (w - 3)**2 every step multiplies the distance to 3 by |1 - 2 lr|; lr > 1 grows it.
    path = descend(sgd_step, quadratic_grad, 4.0, 30, learning_rate=1.05)
    distance = np.abs(path[:, 0] - 3.0)
    assert np.all(np.diff(distance) > 0)
    assert distance[-1] > 10 * distance[0]


@pytest.mark.parametrize(("below", "above"), [(0.19, 0.21), (0.199, 0.201)])
def test_the_bowl_diverges_above_two_over_its_steepest_curvature(below, above) -> None:  # noqa: ANN001
    good = descend(sgd_step, bowl_grad, (-4.5, 2.0), 1000, learning_rate=below)
    bad = descend(sgd_step, bowl_grad, (-4.5, 2.0), 1000, learning_rate=above)
    assert bowl(good[-1]) < 1e-3 < bowl(good[0]) < bowl(bad[-1])


def test_on_the_bowl_momentum_damps_the_zigzag_and_speeds_up_the_shallow_direction() -> None:
    # The chapter's 4.7 claims, on its own settings: same learning rate with and without momentum.
    plain = descend(sgd_step, bowl_grad, (-4.5, 2.0), 30, learning_rate=0.05)
    rolling = descend(momentum_step, bowl_grad, (-4.5, 2.0), 30, learning_rate=0.05, momentum=0.7)
    zigzag = descend(sgd_step, bowl_grad, (-4.5, 2.0), 30, learning_rate=0.15)
    flips = [np.count_nonzero(np.diff(np.sign(p[:, 1]))) for p in (zigzag, rolling)]
    assert flips[0] == 30 and flips[1] < 10
    assert abs(rolling[-1, 0]) < abs(plain[-1, 0]) / 10
    rms = descend(rmsprop_step, bowl_grad, (-4.5, 2.0), 30, learning_rate=0.3)
    assert bowl(rms[-1]) < bowl(rolling[-1])


def test_momentum_passes_the_local_minimum_where_plain_descent_stops() -> None:
    plain = descend(sgd_step, wells_grad, 1.8, 200, learning_rate=0.01)[:, 0]
    rolling = descend(momentum_step, wells_grad, 1.8, 200, learning_rate=0.01)[:, 0]
    # Plain descent settles in the right-hand (local) minimum and never crosses the hump near 0.
    assert plain[-1] == pytest.approx(0.93, abs=0.01)
    assert plain.min() > 0.5
    # Momentum crosses it and ends in the lower, left-hand minimum.
    assert rolling[-1] == pytest.approx(-1.06, abs=0.01)
    assert wells(rolling[-1]) < wells(plain[-1]) - 0.5
    assert abs(wells_grad(rolling[-1])) < 1e-2


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


def test_gradient_check_tells_right_gradients_from_wrong_ones() -> None:
    params = {"a": np.array([[1.0, -2.0], [0.5, 3.0]]), "b": np.array([0.25, -1.0, 2.0])}
    saved = {name: value.copy() for name, value in params.items()}

    def fn() -> float:
        return float(np.sum(params["a"] ** 3) + np.sum(np.sin(params["b"])))

    right = {"a": 3 * params["a"] ** 2, "b": np.cos(params["b"])}
    errors = descent.gradient_check(fn, params, right, samples=5)
    assert sorted(errors) == ["a", "b"] and max(errors.values()) < 1e-8
    wrong = {"a": 2 * params["a"], "b": np.cos(params["b"])}  # the derivative of a**2, not a**3
    assert descent.gradient_check(fn, params, wrong, samples=5)["a"] > 0.05
    for name, value in saved.items():  # every nudged element is put back
        np.testing.assert_array_equal(params[name], value)


def test_seconds_per_call_warms_up_once_then_averages() -> None:
    calls = []
    seconds = descent.seconds_per_call(lambda: calls.append(1), repeats=7)
    assert len(calls) == 8 and seconds >= 0.0


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
    assert stats == {
        "total": 11.0,
        "first": 5.0,
        "later": 3.0,
        "first_extra": 2.0,
        "ms_per_batch": 30.0,
    }
    assert np.isnan(descent.epoch_stats([1.0], steps=10)["later"])


def test_print_comparison_names_the_faster_run(capsys: pytest.CaptureFixture[str]) -> None:
    descent.print_comparison(
        {"NumPy": (np.array([3.0, 3.0]), 0.98), "Keras": (np.array([2.0, 1.0]), 0.97)}, steps=10
    )
    out = capsys.readouterr().out
    assert "这次运行 Keras 更快：NumPy 的总用时是 Keras 的 2.0 倍。" in out
    assert "0.9800    0.9700" in out
    assert "  6.00      3.00   训练总用时" in out
    assert "  0.00      1.00   第 1 轮多出" in out


def test_plots_draw_every_path() -> None:
    paths = {
        "SGD": descend(sgd_step, bowl_grad, (-4.5, 2.0), 5, learning_rate=0.15),
        "RMSprop": descend(rmsprop_step, bowl_grad, (-4.5, 2.0), 5, learning_rate=0.3),
    }
    fig, (ax1, ax2, ax3) = plt.subplots(1, 3)
    descent.plot_on_contour(ax1, bowl, paths, "bowl")
    assert [line.get_label() for line in ax1.get_lines()] == ["SGD", "RMSprop"]
    # A diverging 1-D path stays inside the drawn x range.
    far = {"far": descend(sgd_step, quadratic_grad, 4.0, 12, learning_rate=1.05)}
    descent.plot_on_curve(ax2, np.square, far, "curve")
    lo, hi = ax2.get_lines()[0].get_xdata()[[0, -1]]
    assert lo <= far["far"].min() and hi >= far["far"].max()
    descent.plot_positions(ax3, far)
    assert len(ax3.get_lines()[0].get_xdata()) == 13
    plt.close(fig)


def test_figure_helpers_draw_one_axes_per_panel() -> None:
    steep = descend(sgd_step, quadratic_grad, 4.0, 12, learning_rate=1.05)
    slow = descend(sgd_step, quadratic_grad, 4.0, 12, learning_rate=0.05)
    panels = {"too large": {"lr=1.05": steep}, "too small": {"lr=0.05": slow}}
    fig = descent.curve_panels(np.square, panels)
    assert [ax.get_title() for ax in fig.axes] == ["too large", "too small"]
    assert fig.axes[0].get_lines()[1].get_label() == "lr=1.05"  # after the grey curve
    plt.close(fig)
    # With positions, one more axes plots the last panel's paths against the step.
    fig = descent.curve_panels(np.square, {"both": {"a": steep, "b": slow}}, positions=True)
    assert len(fig.axes) == 2
    assert [len(line.get_xdata()) for line in fig.axes[1].get_lines()] == [13, 13]
    plt.close(fig)
    runs = {"SGD": descend(sgd_step, bowl_grad, (-4.5, 2.0), 5, learning_rate=0.15)}
    fig = descent.contour_panels(bowl, {"one": runs, "two": runs, "three": runs})
    assert [ax.get_title() for ax in fig.axes] == ["one", "two", "three"]
    assert all([line.get_label() for line in ax.get_lines()] == ["SGD"] for ax in fig.axes)
    plt.close(fig)


def test_plot_derivative_draws_the_tangent_and_both_errors() -> None:
    hs = np.array([1e-1, 1e-2, 1e-3])
    fig = descent.plot_derivative(np.square, 1.0, 2.0, hs, hs, hs**2, "w^2")
    ax1, ax2 = fig.axes
    curve, tangent, _ = ax1.get_lines()
    xs, ys = tangent.get_data()
    np.testing.assert_allclose(ys, 1.0 + 2.0 * (xs - 1.0))  # through (1, f(1)) with slope 2
    assert [line.get_label() for line in ax2.get_lines()] == [
        "forward difference",
        "central difference",
    ]
    assert ax2.get_xscale() == ax2.get_yscale() == "log"
    plt.close(fig)
