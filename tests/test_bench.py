"""`make bench` works end to end in quick mode (a smoke test: benchmarks are not timed tests)."""

from __future__ import annotations

import gc
import importlib
import json
import os
import subprocess
import sys

import pytest
from helpers import ROOT

from benchmarks import machine
from keras_tutorial import gpu
from keras_tutorial.errors import TutorialError


def test_quick_bench_writes_table_and_chart(mnist_path, tmp_path):
    # Two jobs, the reference and chapter 1 as `make run` runs it, are enough to go through the
    # whole report; test_plan_* checks the list of jobs a full run starts, and the tests below
    # run the other job scripts.
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--out", str(tmp_path), "--machine", "t"]
        + ["--jobs", "reference,tensorflow-book"],
        cwd=ROOT,
        env={**os.environ, "MNIST_PATH": str(mnist_path)},
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    report = (tmp_path / "t.md").read_text(encoding="utf-8")
    rows = [line for line in report.splitlines() if line.startswith("| ") and "| CPU |" in line]
    assert [row.split("|")[1].strip() for row in rows] == [
        "JAX reference (lax.scan)",
        "Keras tensorflow, book",
    ]
    assert rows[0].rstrip().endswith("| 1.00 | 1.00–1.00 |")
    accuracy = [float(row.split("|")[6]) for row in rows]
    assert all(0.5 < a <= 1 for a in accuracy), rows  # 2000 images, 1 epoch: well above chance
    assert "Chapter 1 as `make run` runs it (default backend tensorflow, CPU)" in report
    assert "| matrix_dot |" in report
    assert (tmp_path / "t.png").stat().st_size > 10_000
    assert "CPU:" in report and "keras 3." in report


def test_plan_runs_every_backend_in_both_settings_and_copies_gpu_jobs_to_the_cpu(monkeypatch):
    bench = importlib.import_module("benchmarks.__main__")
    monkeypatch.setattr(bench, "installed", lambda module: True)
    cpu = bench.plan(None)
    assert [job.name for job in cpu] == [
        "reference",
        "tensorflow-book",
        "tensorflow-tuned",
        "jax-book",
        "jax-tuned",
        "torch-book",
        "torch-tuned",
        "ch04-numpy",
    ]
    assert [(job.module, job.args, job.env) for job in cpu[1:3]] == [
        ("ch01_keras", ["--settings", "book"], {"KERAS_BACKEND": "tensorflow"}),
        ("ch01_keras", ["--settings", "tuned"], {"KERAS_BACKEND": "tensorflow"}),
    ]
    gpu = bench.plan("NVIDIA H200")
    copies = gpu[len(cpu) :]
    assert [job.name for job in copies] == [f"{job.name}-cpu" for job in cpu if not job.cpu_only]
    assert all(job.env["CUDA_VISIBLE_DEVICES"] == "" for job in copies)
    assert all(job.env["JAX_PLATFORMS"] == "cpu" for job in copies)
    # Without a backend installed, its jobs are left out.
    monkeypatch.setattr(bench, "installed", lambda module: module != "torch")
    assert "torch-book" not in [job.name for job in bench.plan(None)]


def test_jobs_flag_selects_in_plan_order_and_names_the_choices():
    bench = importlib.import_module("benchmarks.__main__")
    jobs = [bench.Job("reference_jax"), bench.Job("ch04_numpy")]
    jobs.append(bench.Job("ch01_keras", ["--settings", "tuned"], {"KERAS_BACKEND": "jax"}))
    chosen = bench.select(jobs, "jax-tuned, reference")
    assert [job.name for job in chosen] == ["reference", "jax-tuned"]
    assert bench.select(jobs, None) == jobs
    for wrong in ("jax-fast", ""):
        with pytest.raises(TutorialError) as info:
            bench.select(jobs, wrong)
        assert "reference, ch04-numpy, jax-tuned" in info.value.en
        assert "reference, ch04-numpy, jax-tuned" in info.value.zh


def test_ch04_job_prints_one_json_record(mnist_path):
    # The one job the quick bench above does not start; NumPy only, so it takes seconds.
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.ch04_numpy", "--limit", "2000"] + ["--epochs", "1"],
        cwd=ROOT,
        env={**os.environ, "MNIST_PATH": str(mnist_path)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    record = json.loads(result.stdout.strip().splitlines()[-1])
    assert record["implementation"] == "NumPy from scratch (ch. 4)"
    assert record["epochs"] == 1 and record["device"] == "CPU"
    assert 0 < record["train_seconds"] < record["process_seconds"]
    assert 0.5 < record["test_accuracy"] <= 1


def test_quick_runs_do_not_overwrite_committed_results():
    bench = importlib.import_module("benchmarks.__main__")
    assert bench.default_out(quick=False) == ROOT / "benchmarks" / "results"
    assert bench.default_out(quick=True) == ROOT / "outputs" / "bench"  # ignored by git


@pytest.fixture
def job_in_this_process(monkeypatch):
    """Leave no trace of running a job here: its environment and frozen objects."""
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", os.environ.get("TF_CPP_MIN_LOG_LEVEL", "2"))
    yield
    gc.unfreeze()  # the tuned job imports under frozen_imports()
    gc.enable()


@pytest.mark.parametrize("settings", ["book", "tuned"])
def test_chapter_1_job_trains_the_model_chapter_1_builds(
    settings, mnist_path, monkeypatch, capsys, job_in_this_process
):
    # Run the job's main() in this process, with chapter 1's build_model watched: the job must
    # train the very model build_model returns, whose layers and compile settings are the
    # chapter's, written out here.
    import keras

    from keras_tutorial import ch01

    built = []

    def watched_build_model(*args, **kwargs):
        built.append(real_build_model(*args, **kwargs))
        return built[-1]

    real_build_model = ch01.build_model
    monkeypatch.setattr(ch01, "build_model", watched_build_model)
    monkeypatch.setenv("MNIST_PATH", str(mnist_path))
    argv = ["ch01_keras.py", "--settings", settings, "--limit", "1000", "--epochs", "2"]
    monkeypatch.setattr(sys, "argv", argv)
    path = list(sys.path)
    importlib.import_module("benchmarks.ch01_keras").main()
    # Imported as modules of the package, never under a second, top-level name.
    assert sys.path == path
    assert not {"_job", "tuning", "ch01_keras"} & set(sys.modules)

    record = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert record["implementation"] == f"Keras {keras.backend.backend()}, {settings}"
    assert len(built) == 1
    model = built[0]
    assert int(model.optimizer.iterations) == 2 * 8  # 2 epochs of ceil(1000 / 128) batches
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    assert [(d.units, d.activation.__name__) for d in dense] == [(512, "relu"), (10, "softmax")]
    assert model.count_params() == 407_050
    config = model.get_compile_config()
    assert config["optimizer"]["class_name"] == "RMSprop"
    assert config["optimizer"]["config"]["learning_rate"] == pytest.approx(1e-3)
    assert (config["loss"], config["metrics"]) == ("categorical_crossentropy", ["accuracy"])
    one_call_per_epoch = settings == "tuned" and keras.backend.backend() != "torch"
    assert model.steps_per_execution == (8 if one_call_per_epoch else 1)


def test_jobs_run_in_rounds_and_rows_keep_the_spread(monkeypatch):
    # Rounds, not one job's runs back to back: a slow stretch of the machine hits every job.
    bench = importlib.import_module("benchmarks.__main__")
    calls = []
    walls = {
        "a": iter([10.0, 14.0, 11.0]),
        "b": iter([15.0, 16.0, 30.0]),
        "c": iter([20.0, 22.0, 33.0]),
    }
    names = {
        "a": bench.REFERENCE,
        "b": "Keras tensorflow, tuned",
        "c": "Keras tensorflow, book",
    }

    def fake_run_once(job, extra):
        calls.append(job.module)
        name = names[job.module]
        return {
            "implementation": name,
            "device": "CPU",
            "wall": next(walls[job.module]),
            "train_seconds": 1.0,
            "test_accuracy": 0.98,
        }

    monkeypatch.setattr(bench, "run_once", fake_run_once)
    jobs = [bench.Job("a"), bench.Job("b"), bench.Job("c")]
    results = bench.run_all(jobs, [], repeat=3)
    assert calls == ["a", "b", "c"] * 3
    reference, keras_row, _ = results
    assert (reference.process_seconds, reference.fastest, reference.slowest) == (11.0, 10.0, 14.0)
    assert (keras_row.process_seconds, keras_row.fastest, keras_row.slowest) == (16.0, 15.0, 30.0)
    table = bench.results_table(results)
    # Median ratio 16/11; round by round 15/10, 16/14, 30/11.
    assert "| 16.0 | 15.0–30.0 | 1.0 | 0.9800 | 1.45 | 1.14–2.73 |" in table
    assert bench.headline(results, "tensorflow") == (
        "Chapter 1 as `make run` runs it (default backend tensorflow, CPU): 22.0 s against the "
        "reference's 11.0 s, ratio 2.00 (each round: 2.00, 1.57, 3.00). With the speed settings "
        "of `benchmarks/tuning.py` (tuned): 16.0 s against the reference's 11.0 s, ratio 1.45 "
        "(target: at most 1.5; each round: 1.50, 1.14, 2.73)."
    )
    assert bench.headline(results, "jax") == "(No Keras jax row on this machine.)"


CPUINFO = """processor\t: 0
cpu family\t: {family}
model\t\t: {model}
model name\t: AMD EPYC
flags\t\t: fpu sse2 avx2 fma {flags}

processor\t: 1
model name\t: Something Else
"""


def test_machine_names_tell_cpus_of_the_same_name_apart():
    zen5 = machine.parse_cpuinfo(
        CPUINFO.format(family=26, model=2, flags="avx512f avx512_vnni avx512_bf16")
    )
    zen3 = machine.parse_cpuinfo(CPUINFO.format(family=25, model=1, flags=""))
    assert zen5.describe() == "AMD EPYC (family 26, model 2) — AVX-512 with VNNI, BF16"
    assert zen3.describe() == "AMD EPYC (family 25, model 1) — AVX2"
    assert zen5.onednn().startswith("on ") and zen3.onednn().startswith("off ")
    cores = os.cpu_count()
    assert machine.slug(None, zen5) == f"amd-epyc-{cores}-cores-avx-512"
    assert machine.slug(None, zen3) == f"amd-epyc-{cores}-cores-avx2"
    assert machine.slug("NVIDIA H200", zen5) == "nvidia-h200"
    assert machine.parse_cpuinfo("processor\t: 0\nflags\t: avx2\n") is None


def test_the_gpu_name_comes_from_the_one_nvidia_smi_query(monkeypatch):
    # benchmarks ask keras_tutorial.gpu.query(), the one function that runs nvidia-smi with a
    # time limit; a GPU the query could not read counts as none.
    def answer(smi):
        monkeypatch.setattr(gpu, "query", lambda timeout=None: smi)

    answer(gpu.Smi(True, True, "550.54", ("NVIDIA H200", "NVIDIA H100"), ("9.0", "9.0")))
    assert machine.gpu_name() == "NVIDIA H200"
    answer(gpu.Smi(True, False, problem="no answer within 20 s"))
    assert machine.gpu_name() is None
    answer(gpu.Smi(False, False))
    assert machine.gpu_name() is None
    cpu = machine.Cpu("AMD EPYC", "family 26, model 2", "AVX-512")
    line = machine.describe(cpu, load=0.5)
    assert "AMD EPYC" in line and "GPU none" in line and "0.50" in line
    assert "NVIDIA H200" in machine.describe(cpu, "NVIDIA H200", 0.5)
