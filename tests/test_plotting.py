"""Figures: Chinese text renders with the bundled font, on machines with or without a CJK font."""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from helpers import MISSING_GLYPH, NOTEBOOKS, SCRIPTS

from keras_tutorial import plotting
from keras_tutorial.ch03 import rotation

CHINESE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def chapter_characters() -> str:
    """Every Chinese character and punctuation mark the chapters and answers contain."""
    text = "".join(path.read_text(encoding="utf-8") for path in sorted(SCRIPTS.glob("ch*.py")))
    return "".join(sorted(set(CHINESE.findall(text))))


def glyph_warnings(text: str) -> list[str]:
    """Draw ``text`` as title, label and legend; return Matplotlib's missing-glyph warnings."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig, ax = plt.subplots()
        ax.set_title(text[:40])
        ax.set_xlabel(text)
        ax.plot([0, 1], [0, -1], label=text[-40:])
        ax.legend()
        fig.canvas.draw()
        plt.close(fig)
    return [str(w.message) for w in caught if MISSING_GLYPH in str(w.message)]


@pytest.fixture(autouse=True)
def chinese_font(monkeypatch: pytest.MonkeyPatch) -> None:
    """As start_chapter() does, for every test here; the font settings are restored after."""
    monkeypatch.setitem(plt.rcParams, "font.family", plt.rcParams["font.family"])
    plotting.use_chinese_font()


@pytest.fixture
def only_the_bundled_font(monkeypatch: pytest.MonkeyPatch) -> None:
    """As on a Linux machine with no CJK font: the bundled font alone draws Chinese."""
    monkeypatch.setattr(plotting, "SYSTEM_CHINESE_FAMILIES", ())
    monkeypatch.setitem(plt.rcParams, "font.family", plt.rcParams["font.family"])
    plotting.use_chinese_font()


def test_default_fonts_lose_chinese_characters() -> None:
    # The premise of the bundled font: Matplotlib's own DejaVu Sans draws boxes for Chinese.
    with plt.rc_context({"font.family": ["DejaVu Sans"]}):
        assert glyph_warnings("损失")


def test_every_chinese_character_of_the_chapters_is_drawn(only_the_bundled_font: None) -> None:
    characters = chapter_characters()
    assert len(characters) > 500
    assert glyph_warnings(characters) == []


def test_latin_letters_and_symbols_still_come_from_dejavu(only_the_bundled_font: None) -> None:
    assert plt.rcParams["font.family"][0] == "DejaVu Sans"
    assert glyph_warnings("学习率(learning rate) η=0.1, μ≈0.7, −1 × 2 → ∞") == []


def test_a_full_cjk_font_on_the_machine_is_used_for_rare_characters(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from matplotlib import font_manager

    monkeypatch.setitem(plt.rcParams, "font.family", plt.rcParams["font.family"])
    installed = {font.name for font in font_manager.fontManager.ttflist}
    monkeypatch.setattr(plotting, "SYSTEM_CHINESE_FAMILIES", ("No Such Font", "DejaVu Serif"))
    plotting.use_chinese_font()
    family = plt.rcParams["font.family"]
    assert family[:2] == ["DejaVu Sans", plotting.CHINESE_FAMILY]
    assert ("DejaVu Serif" in family) == ("DejaVu Serif" in installed)
    assert "No Such Font" not in family


def test_the_font_is_a_package_file() -> None:
    assert plotting.CHINESE_FONT.is_file()
    assert (plotting.CHINESE_FONT.parent / "OFL.txt").is_file()


@pytest.mark.parametrize("notebook", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda p: p.stem)
def test_no_committed_notebook_warns_of_a_missing_glyph(notebook: Path) -> None:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    printed = [
        "".join(output.get("text", ""))
        for cell in cells
        for output in cell.get("outputs", [])
        if output.get("output_type") == "stream"
    ]
    assert not [text for text in printed if MISSING_GLYPH in text]


# --- chapter 4's figures --------------------------------------------------------------------


def test_chapter_4_paths_are_drawn_whole_one_axes_per_panel() -> None:
    steep = np.array([4.0, -4.4, 4.8, -5.3, 5.8])  # a diverging 1-D path
    slow = np.array([4.0, 3.6, 3.2])
    panels = {"太大": {"学习率 1.05": steep}, "太小": {"学习率 0.05": slow}}
    fig = plotting.plot_curve_paths(np.square, panels)
    assert [ax.get_title() for ax in fig.axes] == ["太大", "太小"]
    curve, path = fig.axes[0].get_lines()  # the grey curve, then the path
    assert path.get_label() == "学习率 1.05"
    assert curve.get_xdata().min() <= steep.min() and curve.get_xdata().max() >= steep.max()
    plt.close(fig)
    # With positions, one more axes plots the last panel's paths against the step.
    fig = plotting.plot_curve_paths(np.square, {"两条": {"a": steep, "b": slow}}, positions=True)
    assert [len(line.get_xdata()) for line in fig.axes[1].get_lines()] == [5, 3]
    plt.close(fig)
    runs = {"梯度下降": np.array([[-4.5, 2.0], [-4.0, -1.0], [-3.5, 0.5]])}
    fig = plotting.plot_contour_paths(
        lambda w: w[..., 0] ** 2 + w[..., 1] ** 2, {"一": runs, "二": runs}
    )
    assert [ax.get_title() for ax in fig.axes] == ["一", "二"]
    np.testing.assert_array_equal(fig.axes[0].get_lines()[0].get_ydata(), [2.0, -1.0, 0.5])
    plt.close(fig)


def test_plot_derivative_draws_the_tangent_and_both_errors() -> None:
    hs = np.array([1e-1, 1e-2, 1e-3])
    fig = plotting.plot_derivative(np.square, 1.0, 2.0, hs, hs, hs**2, "w²")
    ax1, ax2 = fig.axes
    _, tangent, _ = ax1.get_lines()
    xs, ys = tangent.get_data()
    np.testing.assert_allclose(ys, 1.0 + 2.0 * (xs - 1.0))  # through (1, f(1)) with slope 2
    np.testing.assert_array_equal(ax2.get_lines()[1].get_ydata(), hs**2)
    assert ax2.get_xscale() == ax2.get_yscale() == "log"
    plt.close(fig)


def test_plot_loss_records_puts_updates_left_and_seconds_right() -> None:
    records = {"小批量 32": np.array([[63, 0.01, 2.0], [126, 0.02, 0.5]])}
    fig = plotting.plot_loss_records(records)
    left, right = (ax.get_lines()[0] for ax in fig.axes)
    np.testing.assert_array_equal(left.get_xdata(), [63, 126])
    np.testing.assert_array_equal(right.get_xdata(), [0.01, 0.02])
    np.testing.assert_array_equal(right.get_ydata(), [2.0, 0.5])
    plt.close(fig)


def test_plot_histories_draws_one_line_per_run_in_each_metrics_panel(
    only_the_bundled_font: None,
) -> None:
    runs = {
        "NumPy": {"loss": [0.3, 0.1], "accuracy": [0.9, 0.97], "seconds": [1.0, 1.0]},
        "Keras": {"loss": [0.25, 0.12], "accuracy": [0.92, 0.96]},
    }
    fig = plotting.plot_histories(runs)
    loss_ax, accuracy_ax = fig.axes
    for ax, metric in ((loss_ax, "loss"), (accuracy_ax, "accuracy")):
        lines = ax.get_lines()
        assert [line.get_label() for line in lines] == ["NumPy", "Keras"]
        for line, run in zip(lines, runs.values(), strict=True):
            np.testing.assert_array_equal(line.get_xdata(), [1, 2])
            np.testing.assert_array_equal(line.get_ydata(), run[metric])
    plt.close(fig)


# --- chapter 1's training curves (plot_history) ------------------------------------------------


def test_training_curves_speak_chinese():
    """plot_history (1.6): axis labels and legends in Chinese, the glossary's term beside them."""
    history = {"loss": [0.5, 0.3], "val_loss": [0.4, 0.35], "accuracy": [0.8, 0.9]}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = plotting.plot_history(history)
        fig.canvas.draw()
    assert not [w for w in caught if MISSING_GLYPH in str(w.message)]
    try:
        loss_ax, accuracy_ax = fig.axes
        assert loss_ax.get_xlabel() == "轮(epoch)" and loss_ax.get_ylabel() == "损失(loss)"
        legend = [t.get_text() for t in loss_ax.get_legend().get_texts()]
        assert legend == ["训练损失(loss)", "验证损失(loss)"]
        # No validation accuracy recorded: one curve only.
        assert [t.get_text() for t in accuracy_ax.get_legend().get_texts()] == [
            "训练准确率(accuracy)"
        ]
    finally:
        plt.close(fig)


# --- chapter 2's figures (show_crops, plot_price_day) -----------------------------------------


def test_show_crops_draws_each_crop_where_it_sits():
    images = np.arange(2 * 28 * 28).reshape(2, 28, 28)
    views = [("full", images, 0), ("corner", images[:, 14:, 14:], 14)]
    fig = plotting.show_crops(views, [0, 1, 1])
    try:
        axes = np.array(fig.axes).reshape(3, 2)
        assert [ax.get_title() for ax in axes[0]] == ["full", "corner"]
        assert [ax.get_title() for ax in axes[1]] == ["", ""]  # titles only on the first row
        # The corner lies in rows and columns 14..28 of the full 28×28 frame, shown whole.
        assert axes[2, 1].images[0].get_extent() == [14, 28, 28, 14]
        assert axes[2, 1].get_xlim() == (0, 28) and axes[2, 1].get_ylim() == (28, 0)
        np.testing.assert_array_equal(axes[2, 1].images[0].get_array(), images[1, 14:, 14:])
        np.testing.assert_array_equal(axes[0, 0].images[0].get_array(), images[0])
    finally:
        plt.close(fig)


def test_plot_price_day_draws_close_inside_its_band():
    close = np.linspace(100, 101, 390)
    day = np.column_stack([close, close + 0.5, close - 0.25])
    fig = plotting.plot_price_day(day, title="one day")
    try:
        (ax,) = fig.axes
        assert ax.get_title() == "one day"
        (line,) = ax.get_lines()
        np.testing.assert_array_equal(line.get_ydata(), close)
        np.testing.assert_array_equal(line.get_xdata(), np.arange(390))
        band = ax.collections[0].get_paths()[0].vertices
        assert band[:, 1].min() == pytest.approx(100 - 0.25)
        assert band[:, 1].max() == pytest.approx(101 + 0.5)
        assert [t.get_text() for t in ax.get_legend().get_texts()] == ["最低价到最高价", "收盘价"]
    finally:
        plt.close(fig)


def test_plot_price_day_rejects_a_year():
    with pytest.raises(ValueError, match=r"\(250, 390, 3\)"):
        plotting.plot_price_day(np.zeros((250, 390, 3)))


# --- chapter 3's planes (plot_planes) ---------------------------------------------------------


HOUSE = np.array([[0, 0], [2, 0], [2, 1.5], [1, 2.5], [0, 1.5], [0, 0]], dtype="float64")


def test_plot_planes_outlines_before_and_after_in_each_panel():
    moved = [HOUSE @ rotation(1.0).T, HOUSE * 2 + 1]
    fig = plotting.plot_planes([(moved[0], "turned"), (moved[1], "scaled")], before=HOUSE)
    try:
        assert len(fig.axes) == 2
        for ax, after, title in zip(fig.axes, moved, ["turned", "scaled"], strict=True):
            assert ax.get_title() == title
            assert ax.get_aspect() == 1.0  # equal scales: a rotation must not look like a shear
            lines = {line.get_label(): line.get_xydata() for line in ax.get_lines()}
            np.testing.assert_array_equal(lines["变换前"], HOUSE)
            np.testing.assert_array_equal(lines["变换后"], after)
            assert [t.get_text() for t in ax.get_legend().get_texts()] == ["变换前", "变换后"]
    finally:
        plt.close(fig)


def test_plot_planes_scatters_coloured_points_on_shared_axes():
    points = np.random.default_rng(1).uniform(-1, 1, size=(50, 2))
    colour = np.arctan2(points[:, 1], points[:, 0])
    panels = [(points, "in"), (points * 3, "scaled"), (np.maximum(points, 0), "relu")]
    fig = plotting.plot_planes(panels, colour=colour, title="three steps")
    try:
        assert len(fig.axes) == 3 and fig.get_suptitle() == "three steps"
        first = fig.axes[0]
        for ax, (shown, title) in zip(fig.axes, panels, strict=True):
            assert ax.get_title() == title
            (dots,) = ax.collections
            np.testing.assert_array_equal(dots.get_offsets(), shown)
            np.testing.assert_array_equal(dots.get_array(), colour)  # same point, same colour
            assert ax.get_legend() is None
            assert first.get_shared_x_axes().joined(first, ax)
            assert first.get_shared_y_axes().joined(first, ax)
        # Shared limits: the scaled cloud fits in every panel.
        assert first.get_xlim()[1] >= (points * 3)[:, 0].max()
        assert first.collections[0].get_cmap().name == "hsv"  # angles wrap around
    finally:
        plt.close(fig)


def test_plot_planes_colours_classes_with_the_map_asked_for():
    points = np.random.default_rng(2).uniform(-1, 1, size=(20, 2))
    fig = plotting.plot_planes([(points, "两类")], colour=np.arange(20) % 2, cmap="coolwarm")
    try:
        (dots,) = fig.axes[0].collections
        assert dots.get_cmap().name == "coolwarm"
        np.testing.assert_array_equal(dots.get_array(), np.arange(20) % 2)
    finally:
        plt.close(fig)


@pytest.mark.parametrize(
    ("panels", "before", "shape"),
    [
        ([(np.zeros((4, 3)), "3-D points")], None, "(4, 3)"),
        ([(np.zeros(4), "a vector")], None, "(4,)"),
        ([(np.zeros((4, 2)), "fine")], np.zeros((4, 2, 1)), "(4, 2, 1)"),
    ],
)
def test_plot_planes_refuses_points_not_of_shape_n_by_2(panels, before, shape):
    figures = plt.get_fignums()
    with pytest.raises(ValueError, match=re.escape(shape)):
        plotting.plot_planes(panels, before=before)
    assert plt.get_fignums() == figures  # refused before any figure was opened
