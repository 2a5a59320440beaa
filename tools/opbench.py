"""Chapter 3's loops timed against NumPy, from a terminal: a benchmark, not part of the lesson.

``python -m tools.opbench [--quick] [--out DIR] [--seed N]`` times :data:`TIMED_OPS` (chapter 3's
naive relu, add and matrix product, generated from its cells into :mod:`keras_tutorial.ch03`)
against NumPy on random ``n × n`` matrices, prints the table and writes ``DIR/opbench.md`` (with
the machine and its load average) and ``DIR/opbench.png``. ``make bench`` adds the same table to its
results through :func:`measure`. Each time comes from chapter 3's own ``best_time``.

Times are the best of a few repeats (the least disturbed by other programs), in seconds per call;
they depend on the machine and on what else it is doing.
"""

from __future__ import annotations

import platform
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np

from benchmarks import machine
from keras_tutorial.ch03 import best_time, naive_add, naive_matrix_dot, naive_relu
from keras_tutorial.errors import TutorialError
from keras_tutorial.files import atomic_path
from keras_tutorial.settings import start_chapter

#: An operation to time: (naive function, NumPy function, number of n×n matrix arguments).
Op = tuple[Callable[..., object], Callable[..., object], int]

#: The operations timed: name → (chapter 3's loop, NumPy's function, number of arguments).
TIMED_OPS: dict[str, Op] = {
    "relu": (naive_relu, lambda x: np.maximum(x, 0.0), 1),
    "add": (naive_add, np.add, 2),
    "matrix_dot": (naive_matrix_dot, np.dot, 2),
}


class Row(NamedTuple):
    """One measurement: seconds per call of the naive loop and of NumPy, and their ratio."""

    op: str
    size: int
    naive_s: float
    numpy_s: float
    speedup: float


# Sizes by op name, chosen so that the whole default run stays under about a minute on a small
# 2-core machine: a naive matrix product costs n**3 Python steps, relu and add only n**2.
DEFAULT_SIZES: dict[str, tuple[int, ...]] = {
    "relu": (32, 128, 512),
    "add": (32, 128, 512),
    "matrix_dot": (16, 32, 64, 128),
}
QUICK_SIZES: dict[str, tuple[int, ...]] = {
    "relu": (16, 64, 128),
    "add": (16, 64, 128),
    "matrix_dot": (8, 16, 32),
}


def measure(
    ops: Mapping[str, Op] | None = None,
    *,
    quick: bool = False,
    sizes: Mapping[str, Sequence[int]] | None = None,
    repeat: int | None = None,
    min_time: float | None = None,
    seed: int = 0,
) -> list[Row]:
    """Time each op, naive and NumPy, on random ``n × n`` float64 matrices.

    ``ops`` maps a name to ``(naive, numpy, arity)``, by default :data:`TIMED_OPS`. The sizes
    come from ``sizes``, else from
    :data:`QUICK_SIZES` or :data:`DEFAULT_SIZES` by name. ``quick`` also makes the rounds short (a
    few seconds in all). Each naive result is checked against NumPy's first, so a speedup is
    never reported for two computations that disagree.
    """
    ops = TIMED_OPS if ops is None else ops
    table = {**(QUICK_SIZES if quick else DEFAULT_SIZES), **(sizes or {})}
    missing = [name for name in ops if name not in table]
    if missing:
        raise ValueError(f"no sizes for ops {missing}; pass sizes={{name: [n, ...]}}")
    repeat = repeat if repeat is not None else (2 if quick else 3)
    min_time = min_time if min_time is not None else (0.01 if quick else 0.1)
    if repeat < 1 or min_time <= 0:
        raise ValueError(f"repeat must be >= 1 and min_time > 0, got {repeat} and {min_time}")

    rng = np.random.default_rng(seed)
    rows = []
    for name, (naive, fast, arity) in ops.items():
        for n in table[name]:
            if n < 1:
                raise ValueError(f"sizes must be >= 1, got {n} for {name}")
            args = [rng.standard_normal((n, n)) for _ in range(arity)]
            if not np.allclose(naive(*args), fast(*args)):
                # Most likely a chapter cell the reader edited: say which op, not a traceback.
                raise TutorialError(
                    f"循环写法的 {name} 与 NumPy 的结果不一致（n={n}），先检查这个函数",
                    f"the naive {name} disagrees with NumPy at n={n}; check that function",
                )
            naive_s = best_time(naive, *args, seconds=min_time, repeat=repeat)
            numpy_s = best_time(fast, *args, seconds=min_time, repeat=repeat)
            rows.append(Row(name, n, naive_s, numpy_s, naive_s / numpy_s))
    return rows


def _seconds(value: float) -> str:
    """A duration in the unit that keeps it readable: 1.23 s, 45.6 ms, 7.89 µs."""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if value >= scale:
            return f"{value / scale:.3g} {unit}"
    return f"{value / 1e-9:.3g} ns"


def markdown_table(rows: Sequence[Row]) -> str:
    """The rows as a markdown table, one line per (op, size)."""
    lines = [
        "| op | n (n×n) | naive | NumPy | speedup |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        lines.append(
            f"| {row.op} | {row.size} | {_seconds(row.naive_s)} | {_seconds(row.numpy_s)} "
            f"| {row.speedup:,.0f}× |"
        )
    return "\n".join(lines)


def machine_summary() -> str:
    """One line saying where the numbers come from: Python, NumPy and the machine."""
    return f"Python {platform.python_version()}, NumPy {np.__version__}; {machine.describe()}"


def plot_speedup(rows: Sequence[Row]):
    """Speedup against n, one line per op, both axes logarithmic; Chinese labels."""
    import matplotlib.pyplot as plt

    from keras_tutorial.plotting import use_chinese_font

    use_chinese_font()
    fig, ax = plt.subplots(figsize=(6, 4))
    for op in dict.fromkeys(row.op for row in rows):
        mine = [row for row in rows if row.op == op]
        ax.plot([r.size for r in mine], [r.speedup for r in mine], "o-", label=op)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("n（n×n 矩阵）")
    ax.set_ylabel("加速比(speedup) = 循环用时 / NumPy 用时")
    ax.set_title("NumPy 与 Python 循环的速度对比")
    ax.grid(alpha=0.3, which="both")
    ax.legend()
    fig.tight_layout()
    return fig


def write_report(rows: Sequence[Row], out: Path, stem: str = "opbench") -> tuple[Path, Path]:
    """Write ``out/stem.md`` (machine line and table) and ``out/stem.png`` (the chart)."""
    import matplotlib.pyplot as plt

    out = Path(out)
    md_path = out / f"{stem}.md"
    text = (
        "# NumPy vs naive loops\n\n"
        f"Measured on: {machine_summary()} (the load average: when the run began). "
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
    print(machine_summary(), flush=True)
    rows = measure(quick=args.quick, seed=args.seed)
    print(markdown_table(rows))
    md_path, png_path = write_report(rows, args.out)
    print(f"[表 / table] {md_path}\n[图 / figure] {png_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
