"""`make bench`: time chapter 1's model, chapter 5's NumPy network and the JAX reference.

Each job runs as its own process, as a learner's run does, so import and start-up count. On a
machine with an NVIDIA GPU the jobs also run with the GPU hidden, for a CPU-vs-GPU comparison.
Writes ``benchmarks/results/<machine>.md`` and ``<machine>.png``, plus chapter 3's naive-vs-NumPy
table (``tools.opbench``).
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks import machine
from keras_tutorial.errors import TutorialError, install_handler
from keras_tutorial.files import atomic_path
from keras_tutorial.project import find
from keras_tutorial.settings import Parser
from tools import opbench

ROOT = find(__file__).root

BACKENDS = ("tensorflow", "jax", "torch")
DEFAULT_BACKEND = "tensorflow"  # Keras's default, what `make run` uses
REFERENCE = "JAX reference (lax.scan)"
TARGET = 1.5  # the tuned chapter-1 model on the default backend: at most this × the reference


@dataclass
class Job:
    """One timed process: a module of benchmarks/ (``python -m benchmarks.<module>``), its flags
    and environment."""

    module: str
    args: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    cpu_only: bool = False

    @property
    def name(self) -> str:
        """Its name for ``--jobs``: reference, tensorflow-tuned, ch04-numpy (-cpu: GPU hidden)."""
        if self.module == "ch01_keras":
            base = f"{self.env.get('KERAS_BACKEND', DEFAULT_BACKEND)}-{self.args[-1]}"
        else:
            base = {"reference_jax": "reference", "ch04_numpy": "ch04-numpy"}.get(
                self.module, self.module
            )
        return f"{base}-cpu" if self.env.get("CUDA_VISIBLE_DEVICES") == "" else base


@dataclass
class Result:
    implementation: str
    device: str
    process_seconds: float  # wall clock from spawning the process to its exit (median of runs)
    fastest: float  # the same, the fastest and the slowest run
    slowest: float
    train_seconds: float  # the training loop alone, as measured inside the process (median)
    test_accuracy: float
    runs: int
    walls: list[float] = field(default_factory=list)  # each round's wall clock, in order


def installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {"python": platform.python_version()}
    for name in ("keras", "tensorflow", "jax", "jaxlib", "torch", "numpy"):
        with contextlib.suppress(PackageNotFoundError):
            found[name] = version(name)
    return found


def plan(gpu: str | None) -> list[Job]:
    """The jobs for this machine: each installed backend, plus CPU-only copies if there is a GPU."""
    jobs = []
    if installed("jax"):
        jobs.append(Job("reference_jax"))
    for backend in BACKENDS:
        if not installed(backend):
            continue
        for settings in ("book", "tuned"):
            jobs.append(Job("ch01_keras", ["--settings", settings], {"KERAS_BACKEND": backend}))
    jobs.append(Job("ch04_numpy", cpu_only=True))
    if gpu:
        hidden = {"CUDA_VISIBLE_DEVICES": "", "JAX_PLATFORMS": "cpu"}
        jobs += [
            Job(job.module, job.args, {**job.env, **hidden}, cpu_only=True)
            for job in jobs
            if not job.cpu_only
        ]
    return jobs


def select(jobs: list[Job], names: str | None) -> list[Job]:
    """The jobs named in ``names`` (comma-separated, as ``--jobs`` takes them), in plan order."""
    if names is None:
        return jobs
    wanted = [name.strip() for name in names.split(",") if name.strip()]
    known = [job.name for job in jobs]
    unknown = [name for name in wanted if name not in known]
    if unknown or not wanted:
        raise TutorialError(
            f"没有这些基准任务：{', '.join(unknown) or '（空）'}。"
            f"这台机器上可选：{', '.join(known)}",
            f"no such benchmark jobs: {', '.join(unknown) or '(none given)'}. On this machine: "
            f"{', '.join(known)}",
        )
    return [job for job in jobs if job.name in wanted]


def run_once(job: Job, extra: list[str]) -> dict:
    """Run ``job`` once; its JSON record plus ``wall``, the seconds from spawn to exit."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", f"benchmarks.{job.module}", *job.args, *extra],
        cwd=ROOT,
        env={**os.environ, **job.env},
        capture_output=True,
        text=True,
        timeout=3600,
    )
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise TutorialError(
            f"基准任务 {job.module} {job.args} 失败：\n{done.stderr[-2000:]}",
            f"benchmark job {job.module} {job.args} failed:\n{done.stderr[-2000:]}",
        )
    record = json.loads(done.stdout.strip().splitlines()[-1])
    record["wall"] = wall
    return record


def run_all(jobs: list[Job], extra: list[str], repeat: int) -> list[Result]:
    """Run every job ``repeat`` times, in rounds, and summarise each job by its medians.

    Rounds (every job once, then again) rather than one job's runs back to back: when the
    machine slows down for a while, all jobs share the slow stretch, so the ratios stay fair.
    """
    records: list[list[dict]] = [[] for _ in jobs]
    for round_ in range(1, repeat + 1):
        for job, mine in zip(jobs, records, strict=True):
            record = run_once(job, extra)
            mine.append(record)
            print(
                f"  [{round_}/{repeat}] {record['implementation']} [{record['device']}]: "
                f"{record['wall']:.1f} s (training {record['train_seconds']:.1f} s), "
                f"test accuracy {record['test_accuracy']:.4f}",
                flush=True,
            )
    results = []
    for mine in records:
        walls = [r["wall"] for r in mine]
        results.append(
            Result(
                implementation=mine[0]["implementation"],
                device=mine[0]["device"],
                process_seconds=statistics.median(walls),
                fastest=min(walls),
                slowest=max(walls),
                train_seconds=statistics.median(r["train_seconds"] for r in mine),
                test_accuracy=statistics.median(r["test_accuracy"] for r in mine),
                runs=repeat,
                walls=walls,
            )
        )
    return results


def device_class(device: str) -> str:
    """ "GPU" or "CPU": backends name the same device differently (cuda:0, gpu:0, cpu:0, CPU)."""
    return "GPU" if re.search(r"cuda|gpu", device, re.I) else "CPU"


def references(results: list[Result]) -> dict[str, Result]:
    """The reference's row for each device class ("CPU", "GPU"): what every ratio divides by."""
    return {device_class(r.device): r for r in results if r.implementation == REFERENCE}


def round_ratios(result: Result, reference: Result) -> list[float]:
    """``result``'s wall clock over the reference's, round by round (they ran minutes apart)."""
    return [mine / base for mine, base in zip(result.walls, reference.walls, strict=True)]


def results_table(results: list[Result]) -> str:
    reference = references(results)
    lines = [
        "| implementation | device | seconds, whole process | fastest–slowest run "
        "| seconds, training | test accuracy | ratio to reference | ratio, lowest–highest round |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        base = reference.get(device_class(r.device))
        ratio = spread = "–"
        if base:
            ratio = f"{r.process_seconds / base.process_seconds:.2f}"
            rounds = round_ratios(r, base)
            spread = f"{min(rounds):.2f}–{max(rounds):.2f}"
        lines.append(
            f"| {r.implementation} | {device_class(r.device)} | {r.process_seconds:.1f} "
            f"| {r.fastest:.1f}–{r.slowest:.1f} | {r.train_seconds:.1f} "
            f"| {r.test_accuracy:.4f} | {ratio} | {spread} |"
        )
    return "\n".join(lines)


def headline(results: list[Result], backend: str) -> str:
    """Chapter 1 as a learner runs it (the default backend, the book's settings), then tuned."""
    reference = references(results)
    lines = []
    for device in reference:
        base = reference[device]
        rows = {
            r.implementation: r
            for r in results
            if device_class(r.device) == device and r.implementation.startswith(f"Keras {backend},")
        }
        parts = []
        for settings, words in (
            ("book", f"Chapter 1 as `make run` runs it (default backend {backend}, {device})"),
            ("tuned", "With the speed settings of `benchmarks/tuning.py` (tuned)"),
        ):
            r = rows.get(f"Keras {backend}, {settings}")
            if r is None:
                continue
            rounds = ", ".join(f"{x:.2f}" for x in round_ratios(r, base))
            target = f"target: at most {TARGET}; " if settings == "tuned" else ""
            ratio = r.process_seconds / base.process_seconds
            parts.append(
                f"{words}: {r.process_seconds:.1f} s against the reference's "
                f"{base.process_seconds:.1f} s, ratio {ratio:.2f} ({target}each round: {rounds})."
            )
        if parts:
            lines.append(" ".join(parts))
    return "\n\n".join(lines) or f"(No Keras {backend} row on this machine.)"


def chart(results: list[Result], path: Path, title: str) -> None:
    from keras_tutorial.plotting import finish, plt

    labels = [f"{r.implementation} [{device_class(r.device)}]" for r in results]
    fig, ax = plt.subplots(figsize=(9, 0.55 * len(results) + 1.6))
    rows = range(len(results))
    ax.barh(rows, [r.process_seconds for r in results], color="#c6dbef", label="whole process")
    ax.barh(rows, [r.train_seconds for r in results], color="#2171b5", label="training loop")
    for number, r in enumerate(references(results).values()):
        ax.axvline(
            TARGET * r.process_seconds,
            color="#d94801",
            linestyle=("--", ":")[number % 2],
            label=f"{TARGET}× the reference's whole process [{device_class(r.device)}]",
        )
    ax.set_yticks(list(rows), labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("seconds")
    ax.set_title(title, fontsize=10)
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    finish(fig, path.parent, path.name)


def default_out(quick: bool) -> Path:
    """Where the report goes: a quick run must not overwrite a machine's committed results."""
    return ROOT / "outputs" / "bench" if quick else ROOT / "benchmarks" / "results"


def main(argv: list[str] | None = None) -> int:
    install_handler()
    parser = Parser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2000 images, 1 epoch: a smoke test")
    parser.add_argument("--repeat", type=int, default=3, help="runs per job; medians are reported")
    parser.add_argument(
        "--out",
        type=Path,
        help="folder for the report (default: benchmarks/results, or outputs/bench with --quick)",
    )
    parser.add_argument("--machine", help="name of the result files (default: from the hardware)")
    parser.add_argument(
        "--jobs",
        help="comma-separated jobs to run, e.g. reference,tensorflow-tuned (default: all; "
        "a wrong name lists them)",
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be >= 1")

    load = machine.load_average()
    gpu = machine.gpu_name()
    cpu = machine.cpu_info()
    name = args.machine or machine.slug(gpu, cpu)
    extra = ["--limit", "2000", "--epochs", "1"] if args.quick else []
    repeat = 1 if args.quick else args.repeat
    jobs = select(plan(gpu), args.jobs)
    for job in jobs:
        print(f"… {job.module} {' '.join(job.args)} {job.env or ''}", flush=True)
    results = run_all(jobs, extra, repeat)
    print("… chapter 3: naive loops vs NumPy", flush=True)
    rows = opbench.measure(quick=args.quick)

    args.out = args.out or default_out(args.quick)
    args.out.mkdir(parents=True, exist_ok=True)
    info = versions()
    scope = "quick mode: 2000 images, 1 epoch" if args.quick else "real MNIST, 5 epochs, batch 128"
    chart(results, args.out / f"{name}.png", f"make bench on {name} ({scope})")
    report = f"""# Benchmarks: {name}

Measured by `make bench` ({scope}; median of {repeat} run(s) per row, run in rounds: every job
once, then again). "Whole process" is the wall clock from starting the Python process to its exit:
imports, loading MNIST, building, compiling, training and evaluating. The ratio compares it with
the JAX reference on the same device.

{results_table(results)}

{headline(results, DEFAULT_BACKEND)}

![timings]({name}.png)

## Chapter 3: naive Python loops vs NumPy

{opbench.markdown_table(rows)}

## Machine

- CPU: {cpu.describe()}, {os.cpu_count()} logical cores
- TensorFlow's oneDNN kernels: {cpu.onednn()}
- GPU: {gpu or "none"}
- OS: {platform.platform()}
- load average when the run began: {load:.2f} (the machine should be otherwise idle)
- {", ".join(f"{k} {v}" for k, v in info.items())}
- date: {time.strftime("%Y-%m-%d")}
"""
    with atomic_path(args.out / f"{name}.md") as tmp:
        tmp.write_text(report, encoding="utf-8")
    print(f"\nwrote {args.out / (name + '.md')} and {name}.png\n")
    print(results_table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
