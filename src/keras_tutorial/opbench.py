"""How much faster NumPy is than the naive loops of :mod:`keras_tutorial.naive_ops`.

Used by chapter 3 and by ``make bench``::

    rows = measure(quick=False)           # list of Row(op, size, naive_s, numpy_s, speedup)
    print(markdown_table(rows))
    md_path, png_path = write_report(rows, Path("outputs"))

From a terminal: ``python -m keras_tutorial.opbench [--quick] [--out DIR] [--seed N]`` prints the
table and writes ``DIR/opbench.md`` and ``DIR/opbench.png``.

Every operation works on square ``n × n`` matrices; ``size`` is ``n``. Times are the best of a few
repeats (the least disturbed by other programs), in seconds per call. This is a benchmark, not a
test: the numbers depend on the machine and on what else it is doing.
"""

from __future__ import annotations

import os
import platform
import sys
import timeit
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np

# Imported for its side effect: outside Jupyter it picks a Matplotlib backend that needs no display.
from keras_tutorial import (
    naive_ops,
    plotting,  # noqa: F401
)
from keras_tutorial.files import atomic_path


class Row(NamedTuple):
    """One measurement: seconds per call of the naive loop and of NumPy, and their ratio."""

    op: str
    size: int
    naive_s: float
    numpy_s: float
    speedup: float


#: op name -> (naive function, NumPy function, number of matrix arguments)
OPS: dict[str, tuple[Callable[..., np.ndarray], Callable[..., np.ndarray], int]] = {
    "relu": (naive_ops.naive_relu, lambda x: np.maximum(x, 0.0), 1),
    "add": (naive_ops.naive_add, lambda x, y: x + y, 2),
    "matrix_dot": (naive_ops.naive_matrix_dot, np.dot, 2),
}

# Chosen so that the whole default run stays under about a minute on a small 2-core machine:
# a naive matrix product costs n**3 Python steps, relu and add only n**2.
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


def best_time(fn: Callable[[], object], *, repeat: int = 3, min_time: float = 0.1) -> float:
    """Seconds per call of ``fn``: the best of ``repeat`` rounds of at least ``min_time`` each.

    A fast function is called many times per round so that the clock's resolution does not matter;
    a slow one (a naive loop) only once.
    """
    if repeat < 1 or min_time <= 0:
        raise ValueError(f"repeat must be >= 1 and min_time > 0, got {repeat} and {min_time}")
    timer = timeit.Timer(fn)
    number = 1
    first = timer.timeit(number)
    while first < min_time:
        # Aim a little past min_time; never grow more than 10x at once in case of a fluke.
        number *= min(10, max(2, int(1.2 * min_time / max(first, 1e-9))))
        first = timer.timeit(number)
    rounds = [first, *timer.repeat(repeat - 1, number)] if repeat > 1 else [first]
    return min(rounds) / number


def measure(
    *,
    quick: bool = False,
    ops: Sequence[str] | None = None,
    sizes: Mapping[str, Sequence[int]] | None = None,
    repeat: int | None = None,
    min_time: float | None = None,
    seed: int = 0,
) -> list[Row]:
    """Time each op, naive and NumPy, on random ``n × n`` float64 matrices.

    ``quick`` picks small sizes and short rounds (a few seconds in all). ``ops`` and ``sizes``
    restrict or replace the defaults. Each naive result is checked against NumPy's first, so a
    speedup is never reported for two computations that disagree.
    """
    chosen = list(ops) if ops is not None else list(OPS)
    unknown = [op for op in chosen if op not in OPS]
    if unknown:
        raise ValueError(f"unknown ops {unknown}; known: {list(OPS)}")
    table = dict(QUICK_SIZES if quick else DEFAULT_SIZES)
    if sizes is not None:
        table.update({op: tuple(s) for op, s in sizes.items()})
    repeat = repeat if repeat is not None else (2 if quick else 3)
    min_time = min_time if min_time is not None else (0.01 if quick else 0.1)
    if repeat < 1 or min_time <= 0:
        raise ValueError(f"repeat must be >= 1 and min_time > 0, got {repeat} and {min_time}")

    rng = np.random.default_rng(seed)
    rows = []
    for op in chosen:
        naive, fast, arity = OPS[op]
        for n in table[op]:
            if n < 1:
                raise ValueError(f"sizes must be >= 1, got {n} for {op}")
            args = [rng.standard_normal((n, n)) for _ in range(arity)]
            if not np.allclose(naive(*args), fast(*args)):
                raise RuntimeError(f"naive {op} disagrees with NumPy at n={n}")
            naive_s = best_time(lambda f=naive, a=args: f(*a), repeat=repeat, min_time=min_time)
            numpy_s = best_time(lambda f=fast, a=args: f(*a), repeat=repeat, min_time=min_time)
            rows.append(Row(op, n, naive_s, numpy_s, naive_s / numpy_s))
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
    """One line saying where the numbers come from, and how busy the machine was."""
    line = (
        f"Python {platform.python_version()}, NumPy {np.__version__}, "
        f"{platform.machine() or '?'}, {os.cpu_count()} CPU cores, {platform.system()}"
    )
    if hasattr(os, "getloadavg"):  # not on Windows
        # Other programs competing for the cores slow NumPy's threaded matrix product most.
        line += f", load average {os.getloadavg()[0]:.1f}"
    return line


def plot_speedup(rows: Sequence[Row]):
    """Speedup against n, one line per op, both axes logarithmic."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    for op in dict.fromkeys(row.op for row in rows):
        mine = [row for row in rows if row.op == op]
        ax.plot([r.size for r in mine], [r.speedup for r in mine], "o-", label=op)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("n (n×n matrices)")
    ax.set_ylabel("speedup = naive time / NumPy time")
    ax.set_title("NumPy vs naive Python loops")
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
        f"{machine_summary()}. Time per call, the best of several rounds.\n\n"
        f"{markdown_table(rows)}\n"
    )
    with atomic_path(md_path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    fig = plot_speedup(rows)
    png_path = out / f"{stem}.png"
    with atomic_path(png_path) as tmp:
        fig.savefig(tmp, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return md_path, png_path


def main(argv: list[str] | None = None) -> int:
    from keras_tutorial.settings import chapter_parser, parse_args

    parser = chapter_parser(
        "朴素循环与 NumPy 的速度对比 / Speed of naive loops versus NumPy "
        "(writes opbench.md and opbench.png)"
    )
    args = parse_args(parser, argv)
    print(machine_summary(), flush=True)
    rows = measure(quick=args.quick, seed=args.seed)
    print(markdown_table(rows))
    md_path, png_path = write_report(rows, args.out)
    print(f"[表 / table] {md_path}\n[图 / figure] {png_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
