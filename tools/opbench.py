"""Chapter 3's measurement from a terminal: naive loops against NumPy, written to a report.

``python -m tools.opbench [--quick] [--out DIR] [--seed N]`` times the operations chapter 3
times (``TIMED_OPS``, generated from the chapter's cells into :mod:`keras_tutorial.ch03`), prints
the table and writes ``DIR/opbench.md`` and ``DIR/opbench.png``. ``make bench`` adds the same table
to its results through :func:`measure`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from keras_tutorial import opbench
from keras_tutorial.ch03 import TIMED_OPS
from keras_tutorial.files import atomic_path
from keras_tutorial.opbench import Row, machine_summary, markdown_table, plot_speedup
from keras_tutorial.settings import start_chapter

__all__ = ["Row", "main", "markdown_table", "measure", "write_report"]


def measure(*, quick: bool = False, seed: int = 0) -> list[Row]:
    """Chapter 3's operations, timed as the chapter times them."""
    return opbench.measure(TIMED_OPS, quick=quick, seed=seed)


def load_average() -> str:
    """The 1-minute load average, or a note where the system has none (Windows)."""
    if not hasattr(os, "getloadavg"):
        return "load average unknown"
    return f"load average {os.getloadavg()[0]:.1f}"


def write_report(rows: Sequence[Row], out: Path, stem: str = "opbench") -> tuple[Path, Path]:
    """Write ``out/stem.md`` (machine line and table) and ``out/stem.png`` (the chart)."""
    import matplotlib.pyplot as plt

    out = Path(out)
    md_path = out / f"{stem}.md"
    text = (
        "# NumPy vs naive loops\n\n"
        f"{machine_summary()}, {load_average()} when the run began. "
        "Time per call, the best of several rounds.\n\n"
        f"{markdown_table(rows)}\n"
    )
    fig = plot_speedup(rows)
    png_path = out / f"{stem}.png"
    with atomic_path(md_path) as md_tmp, atomic_path(png_path) as png_tmp:
        md_tmp.write_text(text, encoding="utf-8")
        fig.savefig(png_tmp, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return md_path, png_path


def main(argv: list[str] | None = None) -> int:
    args = start_chapter(
        "朴素循环与 NumPy 的速度对比 / Speed of naive loops versus NumPy "
        "(writes opbench.md and opbench.png)",
        argv=argv,
    )
    print(f"{machine_summary()}, {load_average()}", flush=True)
    rows = measure(quick=args.quick, seed=args.seed)
    print(markdown_table(rows))
    md_path, png_path = write_report(rows, args.out)
    print(f"[表 / table] {md_path}\n[图 / figure] {png_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
