"""Every chapter and answers script, in quick mode, under each Keras backend (issue 24).

One process per backend runs all the scripts one after another (tests/run_in_one_process.py):
the backend and Keras are imported once per backend rather than once per script, and the three
processes run side by side. Each script must run to its end; then the parts that differ between
backends are checked: the backend and devices a chapter names, chapter 5's automatic
differentiation, timings, chapter 1's accuracy, and the appendix (chapter 6) on two virtual
devices under JAX and TensorFlow.

The appendix runs first in each process: TensorFlow's logical devices (and JAX's device count)
can only be set before the backend first computes. So under JAX the other chapters here see two
CPU devices where a learner's run sees one; nothing else changes for them.
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import BACKENDS, MISSING_GLYPH, PROJECT, ROOT, backend_available

RUNNER = Path(__file__).with_name("run_in_one_process.py")
#: Weights after data-parallel training may differ from one device's by float32 round-off only.
TOLERANCE = 1e-5


def _first_sets_up_devices(script: Path) -> bool:
    return "set_logical_device_configuration" not in script.read_text(encoding="utf-8")


SCRIPTS = sorted(PROJECT.all_scripts(), key=_first_sets_up_devices)  # stable: order kept otherwise
STEMS = [p.stem for p in SCRIPTS]
#: TensorFlow, the default backend, already runs every script to its end in quick mode elsewhere
#: in the suite (tests/test_notebooks.py executes every notebook headless; test_ch01..05 run the
#: chapters from a terminal and check the same backend-specific lines: backend named, rings
#: untangled, autodiff difference, forward-pass time). Only the appendix's TensorFlow run
#: (MirroredStrategy on two logical devices) happens nowhere else, so that is all its process runs.
ONLY_HERE = {"tensorflow": ["ch06_distributed"]}
#: The backends that rerun chapters 1-5 here: each check below is made once per backend.
OTHER_BACKENDS = [b for b in BACKENDS if b not in ONLY_HERE]


def stems_for(backend: str) -> list[str]:
    return ONLY_HERE.get(backend, STEMS)


class Run:
    """One backend's process: each script's stdout, the report, and the process's stderr."""

    def __init__(self, backend: str, out: Path, mnist_path: Path) -> None:
        self.backend = backend
        self.report_path = out / "report.json"
        env = {**os.environ, "KERAS_BACKEND": backend, "MNIST_PATH": str(mnist_path)}
        env["PYTHONUNBUFFERED"] = "1"
        scripts = [str(p) for p in SCRIPTS if p.stem in stems_for(backend)]
        command = [sys.executable, str(RUNNER), str(out), str(self.report_path), *scripts]
        self.proc = subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        self._done = False

    def finish(self) -> None:
        if self._done:
            return
        self.stdout, self.stderr = self.proc.communicate(timeout=1500)
        # Kept beside the figures for a look after a failure (pytest keeps its last 3 tmp folders).
        (self.report_path.parent / "stdout.txt").write_text(self.stdout)
        (self.report_path.parent / "stderr.txt").write_text(self.stderr)
        self.report = json.loads(self.report_path.read_text()) if self.report_path.exists() else {}
        self.sections = dict(
            re.findall(r"^@@@ BEGIN (\S+)\n(.*?)^@@@ END \1$", self.stdout, re.M | re.S)
        )
        self._done = True

    def output(self, stem: str) -> str:
        self.finish()
        assert stem in self.sections, f"{stem} did not finish:\n{self.stderr[-3000:]}"
        return self.sections[stem]


@pytest.fixture(scope="module")
def runs(mnist_path, tmp_path_factory) -> dict[str, Run]:
    """Start all three backends' processes at once; each test waits for the one it reads."""
    started = {}
    for backend in BACKENDS:
        if backend_available(backend):
            started[backend] = Run(backend, tmp_path_factory.mktemp(f"run-{backend}"), mnist_path)
    yield started
    for run in started.values():
        if run.proc.poll() is None:
            run.proc.kill()
            run.proc.wait()


def finished(runs: dict[str, Run], backend: str) -> Run:
    if backend not in runs:
        pytest.skip(f"{backend} is not installed (pip install -e '.[jax,torch]')")
    found = runs[backend]
    found.finish()
    return found


@pytest.fixture(params=OTHER_BACKENDS)
def run(request, runs) -> Run:
    """A backend that reruns every script here (the chapters' own tests run TensorFlow's)."""
    return finished(runs, request.param)


@pytest.fixture(params=BACKENDS)
def any_run(request, runs) -> Run:
    return finished(runs, request.param)


def numbers(pattern: str, text: str) -> list[float]:
    """Every number the one group of ``pattern`` matches, lines anchored with ^ and $."""
    return [float(m) for m in re.findall(pattern, text, re.M)]


@pytest.mark.parametrize(
    ("backend", "stem"), [(b, stem) for b in BACKENDS for stem in stems_for(b)]
)
def test_script_runs_to_its_end(runs, backend, stem):
    run = finished(runs, backend)
    text = run.output(stem)
    assert run.report[stem]["status"] == 0, f"{stem} under {run.backend}:\n{run.stderr[-4000:]}"
    assert "Traceback" not in text and "✗ " not in text, text[-3000:]
    assert MISSING_GLYPH not in run.stderr, run.stderr[-3000:]
    assert run.proc.returncode == 0, run.stderr[-3000:]


def test_chapter_1_names_the_backend_and_learns(run):
    text = run.output("ch01_mnist_dense")
    summary = next(line for line in text.splitlines() if line.startswith("Keras "))
    assert f"backend {run.backend} " in summary and "devices: " in summary, summary
    # 1800 training images for 5 epochs already beat guessing (10%) by far, on every backend.
    for name in ("val_acc", "test_acc"):
        (value,) = numbers(rf"^{name}: ([0-9.]+)", text)
        assert value > 0.7, (name, value)
    assert "重新加载后前 100 张预测相同: True" in text


def test_chapter_3s_two_layers_untangle_the_rings(run):
    # 3.6's small Keras network, trained by the running backend: one straight line then
    # separates the two rings in its new plane.
    (share,) = numbers(
        r"新平面上的一条直线分对了 (\d+\.\d)% 的点$", run.output("ch03_tensor_operations")
    )
    assert share >= 95.0


def test_automatic_differentiation_matches_the_hand_written_gradients(run):
    # The chapter that teaches backpropagation checks its gradients against the running backend's
    # own tool (GradientTape, jax.grad, loss.backward()); each must agree to float64 round-off.
    found = []
    for stem in stems_for(run.backend):
        text = run.output(stem)
        for name, diff in re.findall(r"与 (\w+) 自动微分的最大差 ([0-9.e+-]+)", text):
            assert name == run.backend, (stem, name)
            found.append(float(diff))
    assert found, "no chapter printed its autodiff comparison"
    assert max(found) < 1e-12, found


def test_timings_are_measured_on_each_backend(run):
    # Chapter 4 times one forward pass; each time printed must be a real, positive measurement.
    text = run.output("ch04_gradient_descent")
    (ms,) = numbers(r"一次前向计算（128 张图）([0-9.]+) ms", text)
    assert 0 < ms < 10_000
    seconds = numbers(r"用时 ([0-9.]+) 秒", "".join(run.output(s) for s in stems_for(run.backend)))
    assert seconds and all(math.isfinite(s) and s >= 0 for s in seconds)


def test_appendix_trains_on_the_configured_devices_with_one_devices_weights(any_run):
    run = any_run
    report = run.report["ch06_distributed"]
    text = run.output("ch06_distributed")
    if run.backend == "torch":
        # No Keras distribution for PyTorch: the chapter says so and skips the engine cells.
        assert report["devices"] == 0 and "gap" not in report
        assert "PyTorch 后端" in text
        assert "test_acc" not in text
        return
    # The device count printed is the one the first cell configured (2), and the engine used them.
    assert report["configured"] == 2 and report["devices"] == 2
    assert report["replicas"] == 2  # 6.5's model holds a copy of its weights on each device
    (printed,) = numbers(r"^设备数 (\d+)：", text)
    assert printed == 2
    assert re.search(r"设备数 2：cpu:0, cpu:1$", text, re.M), text
    # Same initial weights, same 15 global batches of 128: the weights moved, and the two runs
    # agree to float32 round-off.
    assert report["moved"] > 1e-3
    assert report["gap"] < TOLERANCE, report
    (gap,) = numbers(r"权重最大差 ([0-9.e+-]+)$", text)
    assert gap < TOLERANCE
    # Chapter 1's model trained data-parallel on 2000 images learns, and both timings are real.
    (accuracy,) = numbers(r"^数据并行训练后 test_acc: ([0-9.]+)", text)
    assert accuracy > 0.7
    timings = re.search(
        r"^最后一轮用时：一块设备 ([0-9.]+) 秒，2 块虚拟设备 ([0-9.]+) 秒", text, re.M
    )
    assert timings and float(timings[1]) > 0 and float(timings[2]) > 0, text[-2000:]
