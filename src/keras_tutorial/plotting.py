"""Figures shared by the chapters: inline in Jupyter, saved to a file from a terminal.

Which Matplotlib backend draws them is chosen by :func:`keras_tutorial.settings.configure`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from keras_tutorial.files import atomic_path
from keras_tutorial.settings import in_notebook

#: The Chinese font shipped with the package (a subset of Noto Sans CJK SC: tools/subset_font.py).
CHINESE_FONT = Path(__file__).with_name("fonts") / "KerasTutorialSansSC.otf"
CHINESE_FAMILY = "Keras Tutorial Sans SC"
#: Full CJK fonts a machine may have; they cover the rare characters the bundled subset lacks.
SYSTEM_CHINESE_FAMILIES = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "PingFang SC",
    "Microsoft YaHei",
)


def use_chinese_font() -> None:
    """Let every figure draw Chinese, with or without a CJK font on the machine.

    Matplotlib looks each character up along ``font.family`` (3.6 and newer): Latin text and
    symbols from DejaVu Sans, as before; Chinese from the bundled font, then from a full CJK font
    where the machine has one.
    """
    from matplotlib import font_manager

    manager = font_manager.fontManager
    if CHINESE_FAMILY not in {font.name for font in manager.ttflist}:
        manager.addfont(str(CHINESE_FONT))
    installed = {font.name for font in manager.ttflist}
    plt.rcParams["font.family"] = [
        "DejaVu Sans",
        CHINESE_FAMILY,
        *(family for family in SYSTEM_CHINESE_FAMILIES if family in installed),
    ]


def finish(fig: plt.Figure, out: Path | None, name: str) -> None:
    """Save ``fig`` as ``out/name`` (atomically) and show it inline in Jupyter.

    Returns nothing, so that a cell ending with ``finish(...)`` shows only the figure.
    """
    saved = None
    if out is not None:
        saved = Path(out) / name
        with atomic_path(saved) as tmp:
            fig.savefig(tmp, dpi=110, bbox_inches="tight")
    if in_notebook():
        plt.show()
    else:
        plt.close(fig)
        if saved is not None:
            print(f"图已保存：{saved}")


def show_digits(
    images: np.ndarray,
    labels: Sequence[int] | np.ndarray,
    predictions: Sequence[int] | np.ndarray | None = None,
    *,
    columns: int = 8,
    title: str | None = None,
) -> plt.Figure:
    """A grid of 28×28 digits titled with their labels (and predictions, red when wrong)."""
    count = len(images)
    rows = max(1, -(-count // columns))
    fig, axes = plt.subplots(rows, columns, figsize=(1.3 * columns, 1.5 * rows), squeeze=False)
    for index, ax in enumerate(axes.flat):
        ax.axis("off")
        if index >= count:
            continue
        ax.imshow(np.asarray(images[index]).reshape(28, 28), cmap="binary")
        if predictions is None:
            ax.set_title(f"标签 {labels[index]}", fontsize=9)
        else:
            wrong = int(predictions[index]) != int(labels[index])
            ax.set_title(
                f"预测 {predictions[index]} / 真实 {labels[index]}",
                fontsize=8,
                color="red" if wrong else "black",
            )
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def show_crops(
    views: Sequence[tuple[str, np.ndarray, int]],
    indices: Sequence[int],
    *,
    size: int = 28,
) -> plt.Figure:
    """Crops of the same images side by side, each drawn where it sits in the full image.

    ``views`` holds (title, images, start): ``images[i]`` is the block that begins at row and
    column ``start`` of a ``size``×``size`` image. One row per index, one column per view; the part
    cut away is grey.
    """
    fig, axes = plt.subplots(
        len(indices), len(views), figsize=(6.5, 2.2 * len(indices)), squeeze=False
    )
    for row, index in enumerate(indices):
        for col, (title, images, start) in enumerate(views):
            ax = axes[row, col]
            height, width = images.shape[1:3]
            extent = (start, start + width, start + height, start)
            ax.imshow(images[index], cmap="binary", extent=extent)
            ax.set_facecolor("0.85")
            ax.set_xlim(0, size)
            ax.set_ylim(size, 0)
            ax.set_xticks([])
            ax.set_yticks([])
            if row == 0:
                ax.set_title(title, fontsize=9)
    fig.tight_layout()
    return fig


def plot_price_day(day: np.ndarray, *, title: str | None = None) -> plt.Figure:
    """One day of prices, shape (minutes, 3), columns close, high, low: the close in its band."""
    if day.ndim != 2 or day.shape[1] != 3:
        raise ValueError(f"expects shape (minutes, 3) = close, high, low; got {day.shape}")
    minutes = np.arange(day.shape[0])
    fig, ax = plt.subplots(figsize=(7, 3))
    ax.fill_between(minutes, day[:, 2], day[:, 1], alpha=0.3, label="最低价到最高价")
    ax.plot(minutes, day[:, 0], lw=1, label="收盘价")
    ax.set_xlabel("交易日里的第几分钟（时间轴）")
    ax.set_ylabel("价格")
    if title:
        ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    return fig


def plot_planes(
    panels: Sequence[tuple[np.ndarray, str]],
    *,
    before: np.ndarray | None = None,
    colour: np.ndarray | None = None,
    cmap: str = "hsv",
    title: str | None = None,
) -> plt.Figure:
    """Points of the plane, shape (points, 2), one panel per (points, title), axes drawn at 0.

    With ``before``, each panel draws ``before`` and its points as outlines, "变换前" and
    "变换后" (a shape moved by a transformation); without it, a scatter coloured by ``colour``
    through ``cmap`` (hsv for angles; a two-colour map for class labels), on shared axes so
    that the panels compare.
    """
    arrays = [points for points, _ in panels] + ([] if before is None else [before])
    for array in arrays:
        if array.ndim != 2 or array.shape[1] != 2:
            raise ValueError(f"expects points of shape (n, 2); got {array.shape}")
    share = before is None
    fig, axes = plt.subplots(
        1, len(panels), figsize=(4 * len(panels) + 1, 4), sharex=share, sharey=share, squeeze=False
    )
    for ax, (points, name) in zip(axes.flat, panels, strict=True):
        if before is None:
            ax.scatter(
                points[:, 0], points[:, 1], c=colour, cmap=None if colour is None else cmap, s=8
            )
        else:
            ax.plot(before[:, 0], before[:, 1], "o-", label="变换前")
            ax.plot(points[:, 0], points[:, 1], "s-", label="变换后")
            # Below the panel: inside it, the legend would cover part of a shape.
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=2)
        ax.axhline(0, color="0.6", lw=0.8)
        ax.axvline(0, color="0.6", lw=0.8)
        ax.set_aspect("equal")
        ax.set_title(name)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


#: How the training curves name Keras's metrics (glossary terms).
METRIC_NAMES = {"loss": "损失(loss)", "accuracy": "准确率(accuracy)"}


def plot_history(history: dict[str, list[float]], metrics: Sequence[str] = ("loss", "accuracy")):
    """Training curves, one panel per metric, with validation curves when present."""
    fig, axes = plt.subplots(1, len(metrics), figsize=(5 * len(metrics), 3.5), squeeze=False)
    for ax, metric in zip(axes.flat, metrics, strict=True):
        values = history[metric]
        epochs = range(1, len(values) + 1)
        name = METRIC_NAMES.get(metric, metric)
        ax.plot(epochs, values, "o-", label=f"训练{name}")
        if f"val_{metric}" in history:
            ax.plot(epochs, history[f"val_{metric}"], "s--", label=f"验证{name}")
        _epoch_axes(ax, epochs, name)
    fig.tight_layout()
    return fig


def plot_histories(
    histories: Mapping[str, Mapping[str, Sequence[float]]],
    metrics: Sequence[str] = ("loss", "accuracy"),
) -> plt.Figure:
    """Training curves of several runs side by side: one panel per metric, one line per run."""
    fig, axes = plt.subplots(1, len(metrics), figsize=(5 * len(metrics), 3.5), squeeze=False)
    for ax, metric in zip(axes.flat, metrics, strict=True):
        for label, history in histories.items():
            epochs = range(1, len(history[metric]) + 1)
            ax.plot(epochs, history[metric], "o-", label=label)
        _epoch_axes(ax, epochs, f"训练{METRIC_NAMES.get(metric, metric)}")
    fig.tight_layout()
    return fig


def _epoch_axes(ax: plt.Axes, epochs: range, ylabel: str) -> None:
    """Label a per-epoch curve panel: epochs on x (one tick each), the metric on y, a legend."""
    ax.set_xlabel("轮(epoch)")
    ax.set_ylabel(ylabel)
    ax.set_xticks(list(epochs))
    ax.grid(alpha=0.3)
    ax.legend()


# --- chapter 4: derivatives and descent paths ------------------------------------------------


def plot_derivative(
    f: Callable[[np.ndarray], np.ndarray],
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
    ax1.plot(xs, f(x0) + slope * (xs - x0), "--", label=f"x={x0} 处的切线，斜率 {slope}")
    ax1.plot([x0, x0 + 0.8], [f(x0), f(x0 + 0.8)], "o-", label="割线，h=0.8")
    ax1.set_ylim(*ylim)
    ax1.set_title("曲线的斜率")
    ax2.loglog(hs, forward_err, "o-", label="前向差分(forward difference)")
    ax2.loglog(hs, central_err, "s-", label="中心差分(central difference)")
    ax2.set_xlabel("步长 h")
    ax2.set_ylabel("误差的绝对值")
    ax2.set_title("有限差分(finite difference)的误差")
    for ax in (ax1, ax2):
        ax.legend()
        ax.grid(alpha=0.3)
    return fig


def _paths_on_curve(ax: plt.Axes, f: Callable, paths: dict, title: str, span: tuple) -> None:
    """``f`` in grey and each 1-D path as dots on it; x covers ``span`` and every path."""
    points = np.concatenate([np.ravel(p) for p in paths.values()])
    lo, hi = min(span[0], points.min()), max(span[1], points.max())
    pad = 0.05 * (hi - lo)
    ws = np.linspace(lo - pad, hi + pad, 300)
    ax.plot(ws, f(ws), color="gray")
    for label, path in paths.items():
        path = np.ravel(path)
        ax.plot(path, f(path), "o-", markersize=3, alpha=0.7, label=label)
    ax.set_title(title)
    ax.set_xlabel("w")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)


def plot_curve_paths(
    f: Callable[[np.ndarray], np.ndarray],
    panels: Mapping[str, Mapping[str, np.ndarray]],
    span: tuple[float, float] = (-5.0, 5.0),
    positions: bool = False,
) -> plt.Figure:
    """One axes per panel (title -> 1-D paths drawn on the curve ``f``); with ``positions``, one
    more axes plots the last panel's paths against the step."""
    count = len(panels) + positions
    fig, axes = plt.subplots(1, count, figsize=(4.4 * count, 3.8), squeeze=False)
    for ax, (title, paths) in zip(axes[0], panels.items(), strict=False):
        _paths_on_curve(ax, f, paths, title, span)
    if positions:
        ax = axes[0, -1]
        for label, path in paths.items():
            ax.plot(np.ravel(path), label=label)
        ax.set_title("位置随步数的变化")
        ax.set_xlabel("步数")
        ax.set_ylabel("w")
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
    return fig


def plot_contour_paths(
    f: Callable[[np.ndarray], np.ndarray],
    panels: Mapping[str, Mapping[str, np.ndarray]],
    xlim: tuple[float, float] = (-5.0, 5.0),
    ylim: tuple[float, float] = (-2.5, 2.5),
) -> plt.Figure:
    """One axes per panel (title -> 2-D paths): contour lines of ``f(w)`` (``w[..., 0]`` across,
    ``w[..., 1]`` up) with each path on top. ``f`` >= 0 with its minimum near 0: the levels are
    spaced evenly on a log scale."""
    fig, axes = plt.subplots(1, len(panels), figsize=(5 * len(panels) + 2, 3.8), squeeze=False)
    g1, g2 = np.meshgrid(np.linspace(*xlim, 200), np.linspace(*ylim, 200))
    values = f(np.stack([g1, g2], axis=-1))
    levels = np.geomspace(1e-3 * values.max(), values.max(), 12)
    for ax, (title, paths) in zip(axes[0], panels.items(), strict=True):
        ax.contour(g1, g2, values, levels=levels, cmap="viridis")
        for label, path in paths.items():
            ax.plot(path[:, 0], path[:, 1], "o-", markersize=3, label=label)
        ax.set_xlim(*xlim)
        ax.set_ylim(*ylim)
        ax.set_xlabel("$w_1$")
        ax.set_ylabel("$w_2$")
        ax.set_title(title)
        ax.legend(fontsize=8)
    return fig


def plot_loss_records(runs: Mapping[str, np.ndarray]) -> plt.Figure:
    """Each run's rows ``(updates, seconds, epoch loss)``: the loss against the number of updates
    (left) and against seconds (right), log-log, one line per run."""
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4))
    for label, rec in runs.items():
        ax1.plot(rec[:, 0], rec[:, 2], "o-", markersize=3, label=label)
        ax2.plot(rec[:, 1], rec[:, 2], "o-", markersize=3, label=label)
    ax1.set_xlabel("更新次数")
    ax2.set_xlabel("用时（秒）")
    for ax in (ax1, ax2):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_ylabel("每轮的平均训练损失（均方误差）")
        ax.legend()
        ax.grid(alpha=0.3)
    return fig
