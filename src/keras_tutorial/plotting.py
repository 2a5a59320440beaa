"""Figures shared by the chapters: inline in Jupyter, saved to a file from a terminal.

Which Matplotlib backend draws them is chosen by :func:`keras_tutorial.settings.configure`.
"""

from __future__ import annotations

from collections.abc import Sequence
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
            print(f"[图 / figure] {saved}")


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
            ax.set_title(f"label {labels[index]}", fontsize=9)
        else:
            wrong = int(predictions[index]) != int(labels[index])
            ax.set_title(
                f"pred {predictions[index]} / true {labels[index]}",
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
    ax.fill_between(minutes, day[:, 2], day[:, 1], alpha=0.3, label="low-high")
    ax.plot(minutes, day[:, 0], lw=1, label="close")
    ax.set_xlabel("minute of the trading day (the time axis)")
    ax.set_ylabel("price")
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
    title: str | None = None,
) -> plt.Figure:
    """Points of the plane, shape (points, 2), one panel per (points, title), axes drawn at 0.

    With ``before``, each panel draws ``before`` and its points as outlines, "before" and
    "after" (a shape moved by a transformation); without it, a scatter coloured by ``colour``,
    on shared axes so that the panels compare.
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
            cmap = None if colour is None else "hsv"
            ax.scatter(points[:, 0], points[:, 1], c=colour, cmap=cmap, s=8)
        else:
            ax.plot(before[:, 0], before[:, 1], "o-", label="before")
            ax.plot(points[:, 0], points[:, 1], "s-", label="after")
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


def plot_history(history: dict[str, list[float]], metrics: Sequence[str] = ("loss", "accuracy")):
    """Training curves, one panel per metric, with validation curves when present."""
    fig, axes = plt.subplots(1, len(metrics), figsize=(5 * len(metrics), 3.5), squeeze=False)
    for ax, metric in zip(axes.flat, metrics, strict=True):
        values = history[metric]
        epochs = range(1, len(values) + 1)
        ax.plot(epochs, values, "o-", label=f"train {metric}")
        if f"val_{metric}" in history:
            ax.plot(epochs, history[f"val_{metric}"], "s--", label=f"validation {metric}")
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric)
        ax.set_xticks(list(epochs))
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    return fig
