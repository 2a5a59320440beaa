"""The naive-versus-NumPy measurement: its rows, its report files and its command line.

No assertion here depends on how fast this machine is; speed itself is measured by `make bench`.
"""

from __future__ import annotations

import math
import subprocess
import sys

import matplotlib.image
import numpy as np
import pytest
from helpers import ROOT

from keras_tutorial.ch03 import best_time, naive_add, naive_matrix_dot, naive_relu
from keras_tutorial.errors import TutorialError
from tools import opbench
from tools.opbench import TIMED_OPS, Row


@pytest.fixture(scope="module")
def quick_rows() -> list[Row]:
    return opbench.measure(quick=True)  # TIMED_OPS by default


def test_quick_measurement_covers_every_op_and_size(quick_rows):
    assert [(row.op, row.size) for row in quick_rows] == [
        ("relu", 16),
        ("relu", 64),
        ("relu", 128),
        ("add", 16),
        ("add", 64),
        ("add", 128),
        ("matrix_dot", 8),
        ("matrix_dot", 16),
        ("matrix_dot", 32),
    ]


def test_quick_measurement_numbers_are_positive_and_consistent(quick_rows):
    for row in quick_rows:
        assert math.isfinite(row.naive_s) and row.naive_s > 0, row
        assert math.isfinite(row.numpy_s) and row.numpy_s > 0, row
        assert row.speedup == pytest.approx(row.naive_s / row.numpy_s), row


def test_measure_times_the_functions_it_is_given():
    calls = []

    def negate(x):
        calls.append(x.shape)
        return -x

    ops = {"negate": (negate, np.negative, 1)}
    rows = opbench.measure(ops, sizes={"negate": [3, 5]}, repeat=1, min_time=1e-4)
    assert [(row.op, row.size) for row in rows] == [("negate", 3), ("negate", 5)]
    assert set(calls) == {(3, 3), (5, 5)}


def test_a_naive_function_that_disagrees_is_not_timed():
    # What a reader gets after editing naive_relu to return x unchanged.
    ops = {"relu": (lambda x: x, lambda x: np.maximum(x, 0.0), 1)}
    with pytest.raises(TutorialError, match="relu"):
        opbench.measure(ops, sizes={"relu": [4]}, repeat=1, min_time=1e-4)
    rows = opbench.measure({"relu": TIMED_OPS["relu"]}, sizes={"relu": [4]}, min_time=1e-3)
    assert len(rows) == 1


def test_the_loops_timed_are_chapter_3s():
    assert [naive for naive, _, _ in TIMED_OPS.values()] == [
        naive_relu,
        naive_add,
        naive_matrix_dot,
    ]


def test_report_files(quick_rows, tmp_path):
    md_path, png_path = opbench.write_report(quick_rows, tmp_path / "bench")
    assert (md_path, png_path) == (tmp_path / "bench/opbench.md", tmp_path / "bench/opbench.png")
    text = md_path.read_text(encoding="utf-8")
    assert f"NumPy {np.__version__}" in text and "logical cores" in text and "load average" in text
    table = [line for line in text.splitlines() if line.startswith("| ")]
    assert len(table) == 2 + len(quick_rows)  # header, rule, one line per row
    for op in TIMED_OPS:
        assert any(line.startswith(f"| {op} |") for line in table), op
    image = matplotlib.image.imread(png_path)
    assert image.ndim == 3 and image.shape[0] > 100 and image.shape[1] > 100
    assert not [p for p in md_path.parent.iterdir() if p.name.startswith(".")]


def test_markdown_table_formats_units_and_speedups():
    rows = [Row("relu", 512, 0.25, 2.5e-4, 1000.0), Row("matrix_dot", 8, 3.9e-4, 1.5e-6, 260.0)]
    assert opbench.markdown_table(rows).splitlines() == [
        "| op | n (n×n) | naive | NumPy | speedup |",
        "| --- | ---: | ---: | ---: | ---: |",
        "| relu | 512 | 250 ms | 250 µs | 1,000× |",
        "| matrix_dot | 8 | 390 µs | 1.5 µs | 260× |",
    ]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"ops": {"softmax": TIMED_OPS["relu"]}}, "softmax"),
        ({"ops": {"add": TIMED_OPS["add"]}, "sizes": {"add": [0]}}, "sizes"),
        ({"ops": {"add": TIMED_OPS["add"]}, "repeat": 0}, "repeat"),
    ],
)
def test_bad_arguments_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        opbench.measure(**kwargs)


def test_best_time_calls_fast_functions_many_times():
    calls = []
    # An append takes well under a microsecond, so one call can never fill a 50 ms round
    # unless the process is stopped for that long in the middle of it.
    seconds = best_time(calls.append, 1, seconds=0.05, repeat=2)
    assert seconds > 0
    assert len(calls) > 1000


def run_cli(*args: str, cwd=ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tools.opbench", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_cli_quick_writes_table_and_chart(tmp_path):
    out = tmp_path / "out"
    result = run_cli("--quick", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "| matrix_dot |" in result.stdout
    assert (out / "opbench.md").read_text(encoding="utf-8").count("| relu |") == 3
    assert (out / "opbench.png").stat().st_size > 1000
