"""`make bench` works end to end in quick mode (a smoke test: benchmarks are not timed tests)."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT, SCRIPTS


def test_quick_bench_writes_table_and_chart(mnist_path, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--out", str(tmp_path), "--machine", "t"],
        cwd=ROOT,
        env={**__import__("os").environ, "MNIST_PATH": str(mnist_path)},
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    report = (tmp_path / "t.md").read_text(encoding="utf-8")
    for row in (
        "JAX reference (lax.scan)",
        "Keras tensorflow, book",
        "Keras tensorflow, tuned",
        "Keras jax, tuned",
        "Keras torch, book",
        "NumPy from scratch",
        "| matrix_dot |",
    ):
        assert row in report, row
    reference_row = next(line for line in report.splitlines() if line.startswith("| JAX reference"))
    assert reference_row.rstrip().endswith("| 1.00 |")
    assert (tmp_path / "t.png").stat().st_size > 10_000
    assert "CPU:" in report and "keras 3." in report


def test_chapter_1_trains_with_the_benchmarked_settings():
    # The "tuned" rows time what chapter 1 runs: chapter 1 spells out compile_options(steps),
    # the benchmark job builds the model through models.chapter1_model(steps), which adds it.
    chapter = (SCRIPTS / "ch01_mnist_dense.py").read_text(encoding="utf-8")
    job = (ROOT / "benchmarks" / "ch01_keras.py").read_text(encoding="utf-8")
    assert "**compile_options(steps)" in chapter
    assert "chapter1_model(steps)" in job
