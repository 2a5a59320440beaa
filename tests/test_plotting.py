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
