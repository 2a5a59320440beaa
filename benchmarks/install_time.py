"""Time a learner's first minutes: fresh clone → chapter 1's test accuracy (`make run`).

Each run clones the repository into a temporary folder, gives pip and uv empty caches of their
own there, runs ``make run`` and notes when each line of its output arrived, up to the line
``test_acc: …``. Runs take turns, one per installer in each round (the order alternates), so that
a drifting machine slows them alike; every run gives the load the other processes put on the
machine meanwhile. Standard library only, since it runs before any virtual environment exists::

    python3 -m benchmarks.install_time                       # 3 rounds of uv and pip, then report
    python3 -m benchmarks.install_time --rounds 1 --installers uv --no-write
    python3 -m benchmarks.install_time --commit HEAD~3       # an older commit, for a before/after

The split, in seconds from the start of ``git clone``: clone; venv (``python3 -m venv``, until make
starts installing); install (the lock and the project, until make starts chapter 1); import
(Python's start, the chapter's first cell and ``import keras``, until chapter 1 prints its backend);
training (``model.fit``, from ``Epoch 1/`` to the last epoch's line); the rest (MNIST, the
evaluations, the figure, until ``test_acc``), where make is stopped. Give MNIST with ``MNIST_PATH``
so that no download counts. Writes ``benchmarks/results/install-time-<machine>.md``. Not part of
``make test``.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks import machine

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
PARTS = ("clone", "venv", "install", "import", "training", "rest")
# The lines of make's output that end each part.
INSTALL_STARTS = re.compile(r"^安装 \S+ 锁定的版本")
CHAPTER_STARTS = re.compile(r"python scripts/ch01")
IMPORTED = re.compile(r"^Keras \d[^ ]* · backend ")
EPOCH_STARTS = re.compile(r"^Epoch 1/\d+")
EPOCH_ENDS = re.compile(r"^\s*\d+/\d+ .*step")  # Keras's progress bar, its colours removed
COLOURS = re.compile(r"\x1b\[[0-9;]*m")
TEST_ACC = re.compile(r"^test_acc: (\d\.\d+)")


def busy_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine since boot, from /proc/stat."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except OSError:
        return 0, 0
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return sum(values) - idle, sum(values)


@dataclass
class Run:
    installer: str
    round: int
    status: int = 0
    times: dict[str, float] = field(default_factory=dict)  # each line's second, by its mark
    test_acc: str = ""
    load_before: float = 0.0
    load_after: float = 0.0
    others: float = 0.0  # CPU cores that other processes kept busy during the run, on average
    cpu: float = 0.0  # user + system seconds of make and all it ran

    def parts(self) -> dict[str, float] | None:
        """The split of clone → test_acc, or None when a mark is missing."""
        marks = ("cloned", "venv", "installed", "imported", "fit_starts", "fit_ends", "test_acc")
        if self.status != 0 or any(m not in self.times for m in marks):
            return None
        t = self.times
        training = t["fit_ends"] - t["fit_starts"]
        return {
            "clone": t["cloned"],
            "venv": t["venv"] - t["cloned"],
            "install": t["installed"] - t["venv"],
            "import": t["imported"] - t["installed"],
            "training": training,
            "rest": t["test_acc"] - t["imported"] - training,
            "total": t["test_acc"],
        }


def mark(line: str, run: Run, now: float) -> None:
    """Note when LINE's part of the run ended."""
    found = [
        ("venv", INSTALL_STARTS.search(line)),
        ("installed", CHAPTER_STARTS.search(line)),
        ("imported", IMPORTED.search(line)),
        ("fit_starts", EPOCH_STARTS.search(line)),
    ]
    for name, match in found:
        if match and name not in run.times:
            run.times[name] = now
    if "fit_starts" in run.times and "test_acc" not in run.times and EPOCH_ENDS.search(line):
        run.times["fit_ends"] = now
    accuracy = TEST_ACC.search(line)
    if accuracy and "test_acc" not in run.times:
        run.times["test_acc"] = now
        run.test_acc = accuracy.group(1)


def clone_then_make_run(run: Run, args: argparse.Namespace, work: Path) -> None:
    """Clone into WORK, then `make run` with empty caches; times from the clone's start."""
    env = dict(os.environ)
    env.pop("VIRTUAL_ENV", None)
    env.update(
        PIP_CACHE_DIR=str(work / "pip-cache"),
        UV_CACHE_DIR=str(work / "uv-cache"),
        KERAS_HOME=str(work / "keras-home"),
        INSTALLER=run.installer,
        PYTHONUNBUFFERED="1",  # each line when it is printed, not when a buffer fills
    )
    log = work / "make-run.log"
    run.load_before = machine.load_average() or 0.0
    before, ticks_before = resource.getrusage(resource.RUSAGE_CHILDREN), busy_ticks()
    start = time.monotonic()
    subprocess.run(["git", "clone", "-q", args.repo, str(work / "clone")], check=True)
    if args.commit:
        subprocess.run(
            ["git", "-C", str(work / "clone"), "checkout", "-q", args.commit], check=True
        )
    run.times["cloned"] = time.monotonic() - start
    with log.open("w") as out:
        proc = subprocess.Popen(
            ["make", "run"],
            cwd=work / "clone",
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            start_new_session=True,
        )
        assert proc.stdout is not None
        for line in proc.stdout:
            now = time.monotonic() - start
            out.write(f"[{now:6.1f} s] {line}")
            mark(COLOURS.sub("", line.rstrip("\n")), run, now)
            if "test_acc" in run.times:
                break
        wall = time.monotonic() - start
        if "test_acc" in run.times:
            # The measurement ends here: the rest of chapter 1 would only load the shared machine.
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait()
            run.status = 0
        else:
            run.status = proc.wait()
    after, ticks_after = resource.getrusage(resource.RUSAGE_CHILDREN), busy_ticks()
    run.cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    ticks = os.sysconf("SC_CLK_TCK")
    busy = (ticks_after[0] - ticks_before[0]) / ticks
    run.others = max(0.0, busy - run.cpu) / wall
    run.load_after = machine.load_average() or 0.0


def seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def report(runs: list[Run], args: argparse.Namespace, commit: str) -> str:
    """The results as markdown: every run, then the medians by installer."""
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Fresh clone → chapter 1's test accuracy (`make run`)",
        "",
        f"`python3 -m benchmarks.install_time --rounds {args.rounds} --installers "
        f"{','.join(args.installers)}` on {machine.cpu_info().describe()}, {os.cpu_count()} CPUs, "
        f"Python "
        f"{platform.python_version()}, {when}, commit {commit}. Every run: a fresh `git clone`, "
        "empty pip and uv caches, MNIST from `MNIST_PATH`"
        f"{'' if os.environ.get('MNIST_PATH') else ' (not set: the download counts)'}. "
        "Seconds from the start of the clone to the line `test_acc: …` chapter 1 prints; the "
        "split is described in `benchmarks/install_time.py`. Load: the 1-minute load average "
        "before → after the run, and the CPU cores that other processes kept busy during it "
        "(from /proc/stat, less this run's own CPU time); CPU: user + system seconds of the clone "
        "and make until then.",
        "",
        "| round | installer | clone → test_acc | clone | venv | install | import | training "
        "| the rest | test_acc | CPU | load before → after | others' cores |",
        "|" + " ---: | --- |" + " ---: |" * 9 + " --- | ---: |",
    ]
    for run in runs:
        parts = run.parts() or {}
        lines.append(
            f"| {run.round} | {run.installer} | {seconds(parts.get('total'))} | "
            + " | ".join(seconds(parts.get(p)) for p in PARTS)
            + f" | {run.test_acc or '—'} | {run.cpu:.1f} "
            f"| {run.load_before:.2f} → {run.load_after:.2f} | {run.others:.2f} |"
        )
    lines += [
        "",
        "Median of the rounds, by installer:",
        "",
        "| installer | clone → test_acc | clone | venv | install | import | training | the rest "
        "| others' cores | runs |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for installer in args.installers:
        mine = [r.parts() for r in runs if r.installer == installer]
        done = [p for p in mine if p]
        if not done:
            continue
        others = statistics.median(r.others for r in runs if r.installer == installer)
        lines.append(
            f"| {installer} | {statistics.median(p['total'] for p in done):.1f} | "
            + " | ".join(f"{statistics.median(p[part] for p in done):.1f}" for part in PARTS)
            + f" | {others:.2f} | {len(done)} of {len(mine)} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repo", default=str(ROOT), help="what to clone (default: this checkout)")
    parser.add_argument("--commit", help="check out this commit after cloning")
    parser.add_argument("--rounds", type=int, default=3, help="rounds (default: 3)")
    parser.add_argument(
        "--installers",
        type=lambda text: text.split(","),
        default=["uv", "pip"],
        help="make's INSTALLER values to compare, comma-separated (default: uv,pip)",
    )
    parser.add_argument("--no-write", action="store_true", help="print, do not write the results")
    parser.add_argument("--keep", action="store_true", help="keep the clones and their logs")
    args = parser.parse_args(argv)

    if not os.environ.get("MNIST_PATH"):
        print("note: MNIST_PATH is not set, so the MNIST download counts in the times")
    commit = subprocess.run(
        [
            "git",
            "-C",
            args.repo,
            "log",
            "-1",
            "--format=%h",
            *([args.commit] if args.commit else []),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    work = Path(tempfile.mkdtemp(prefix="install-time-"))
    cpu = machine.cpu_info().describe()
    print(f"{cpu}, {os.cpu_count()} CPUs; commit {commit}; work in {work}", flush=True)
    runs: list[Run] = []
    for round_ in range(1, args.rounds + 1):
        # Alternate the order, so that neither installer always goes first.
        order = args.installers if round_ % 2 else args.installers[::-1]
        for installer in order:
            run = Run(installer, round_)
            clone_then_make_run(run, args, work / f"{round_}-{installer}")
            runs.append(run)
            parts = run.parts()
            total = seconds(parts["total"]) if parts else f"failed ({run.status})"
            print(
                f"round {round_} {installer}: {total} s, test_acc {run.test_acc or '—'}, "
                f"load {run.load_before:.2f} → {run.load_after:.2f}, "
                f"others {run.others:.2f} cores",
                flush=True,
            )
            if not args.keep and parts:
                shutil.rmtree(work / f"{round_}-{installer}", ignore_errors=True)

    text = report(runs, args, commit)
    print()
    print(text)
    if not args.no_write:
        RESULTS.mkdir(parents=True, exist_ok=True)
        dest = RESULTS / f"install-time-{machine.slug(None)}.md"
        tmp = dest.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(dest)
        print(f"written: {dest.relative_to(ROOT)}")
    failed = [run for run in runs if not run.parts()]
    if failed or args.keep:
        print(f"clones and logs kept in {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
