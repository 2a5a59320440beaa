"""`make bench` works end to end in quick mode (a smoke test: benchmarks are not timed tests)."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys

from helpers import ROOT, SCRIPTS


def test_quick_bench_writes_table_and_chart(mnist_path, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--out", str(tmp_path), "--machine", "t"],
        cwd=ROOT,
        env={**os.environ, "MNIST_PATH": str(mnist_path)},
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
        "Keras torch, tuned",
        "NumPy from scratch",
        "| matrix_dot |",
    ):
        assert row in report, row
    reference_row = next(line for line in report.splitlines() if line.startswith("| JAX reference"))
    assert reference_row.rstrip().endswith("| 1.00 | 1.00–1.00 |")
    assert "Chapter 1 as `make run` runs it (default backend tensorflow, CPU)" in report
    assert (tmp_path / "t.png").stat().st_size > 10_000
    assert "CPU:" in report and "keras 3." in report


def test_quick_runs_do_not_overwrite_committed_results():
    bench = importlib.import_module("benchmarks.__main__")
    assert bench.default_out(quick=False) == ROOT / "benchmarks" / "results"
    assert bench.default_out(quick=True) == ROOT / "outputs" / "bench"  # ignored by git


def test_chapter_1_trains_with_the_benchmarked_settings():
    # The "tuned" rows time what chapter 1 runs: chapter 1 spells out compile_options(steps),
    # the benchmark job builds the model through models.chapter1_model(steps), which adds it;
    # both import Keras under frozen_imports(), and so does the reference they are compared with.
    chapter = (SCRIPTS / "ch01_mnist_dense.py").read_text(encoding="utf-8")
    job = (ROOT / "benchmarks" / "ch01_keras.py").read_text(encoding="utf-8")
    reference = (ROOT / "benchmarks" / "reference_jax.py").read_text(encoding="utf-8")
    assert "**compile_options(steps)" in chapter
    assert "chapter1_model(steps)" in job
    assert "with frozen_imports():\n    import keras" in chapter
    assert "with frozen_imports() if tuned" in job
    assert "with frozen_imports():\n    import jax" in reference


def test_jobs_run_in_rounds_and_rows_keep_the_spread(monkeypatch):
    # Rounds, not one job's runs back to back: a slow stretch of the machine hits every job.
    bench = importlib.import_module("benchmarks.__main__")
    calls = []
    walls = {"a.py": iter([10.0, 14.0, 11.0]), "b.py": iter([15.0, 16.0, 30.0])}

    def fake_run_once(job, extra):
        calls.append(job.script)
        name = {"a.py": bench.REFERENCE, "b.py": "Keras tensorflow, tuned"}[job.script]
        return {
            "implementation": name,
            "device": "CPU",
            "wall": next(walls[job.script]),
            "train_seconds": 1.0,
            "test_accuracy": 0.98,
        }

    monkeypatch.setattr(bench, "run_once", fake_run_once)
    results = bench.run_all([bench.Job("a.py"), bench.Job("b.py")], [], repeat=3)
    assert calls == ["a.py", "b.py"] * 3
    reference, keras_row = results
    assert (reference.process_seconds, reference.fastest, reference.slowest) == (11.0, 10.0, 14.0)
    assert (keras_row.process_seconds, keras_row.fastest, keras_row.slowest) == (16.0, 15.0, 30.0)
    table = bench.results_table(results)
    # Median ratio 16/11; round by round 15/10, 16/14, 30/11.
    assert "| 16.0 | 15.0–30.0 | 1.0 | 0.9800 | 1.45 | 1.14–2.73 |" in table
    line = bench.headline(results, "tensorflow")
    assert "16.0 s against the reference's 11.0 s, ratio 1.45" in line
    assert "(target: at most 1.5; each round: 1.50, 1.14, 2.73)" in line
    assert "No tuned Keras jax row" in bench.headline(results, "jax")


CPUINFO = """processor\t: 0
cpu family\t: {family}
model\t\t: {model}
model name\t: AMD EPYC
flags\t\t: fpu sse2 avx2 fma {flags}

processor\t: 1
model name\t: Something Else
"""


def test_machine_names_tell_cpus_of_the_same_name_apart():
    bench = importlib.import_module("benchmarks.__main__")
    zen5 = bench.parse_cpuinfo(
        CPUINFO.format(family=26, model=2, flags="avx512f avx512_vnni avx512_bf16")
    )
    zen3 = bench.parse_cpuinfo(CPUINFO.format(family=25, model=1, flags=""))
    assert zen5.describe() == "AMD EPYC (family 26, model 2) — AVX-512 with VNNI, BF16"
    assert zen3.describe() == "AMD EPYC (family 25, model 1) — AVX2"
    assert zen5.onednn().startswith("on ") and zen3.onednn().startswith("off ")
    cores = os.cpu_count()
    assert bench.machine_slug(None, zen5) == f"amd-epyc-{cores}-cores-avx-512"
    assert bench.machine_slug(None, zen3) == f"amd-epyc-{cores}-cores-avx2"
    assert bench.machine_slug("NVIDIA H200", zen5) == "nvidia-h200"
    assert bench.parse_cpuinfo("processor\t: 0\nflags\t: avx2\n") is None


# README rows (Chinese and English labels) → the committed result file they are copied from.
README_MACHINES = {
    "2 核 CPU（AVX-512）": "amd-epyc-2-cores-avx-512.md",
    "2-core CPU (AVX-512)": "amd-epyc-2-cores-avx-512.md",
    "较早的 2 核 CPU（AVX2）": "amd-epyc-2-cores-avx2.md",
    "older 2-core CPU (AVX2)": "amd-epyc-2-cores-avx2.md",
}


def table_cells(line: str) -> list[str]:
    return [cell.strip().strip("*") for cell in line.strip().strip("|").split("|")]


def test_readme_benchmark_figures_come_from_the_committed_results():
    # The README's short table must quote a committed `make bench` run, not numbers typed in.
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    checked = 0
    for line in readme.splitlines():
        cells = table_cells(line)
        if not line.startswith("|") or cells[0] not in README_MACHINES:
            continue
        results = ROOT / "benchmarks" / "results" / README_MACHINES[cells[0]]
        rows = [
            table_cells(row)[2:7]
            for row in results.read_text(encoding="utf-8").splitlines()
            if row.startswith("| ")
        ]
        # whole process, fastest–slowest, training, test accuracy, ratio
        assert cells[2:7] in rows, f"{line} is not in {results.name}"
        checked += 1
    assert checked == 12
