"""Time a learner's first minutes: fresh clone → chapter 1's first accuracy (`make run`).

Clones the repository into a temporary folder, gives pip (and uv) an empty cache there, runs
``make run`` (and, with ``--test``, ``make test``) and reports how long each took from the start of
the clone, with the machine's load beside the times: a shared machine drifts, so a time without
its load means little. Standard library only, because it runs before any virtual environment
exists::

    python3 benchmarks/install_time.py                 # clone → first accuracy of make run
    python3 benchmarks/install_time.py --test          # also clone → make test green
    python3 benchmarks/install_time.py --commit HEAD~3 # an older commit, for a before/after

Columns: the clone; "installed", when make starts the chapter (or pytest); "first accuracy", the
first line that prints an accuracy; "done", make's end; "CPU time", user + system seconds of make
and all it ran (the clone excluded). Give MNIST with ``MNIST_PATH`` so that the download does not
count. Not part of ``make test``.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Keras's progress bar and chapter 1's summary both print "accuracy: 0.9…" / "accuracy 0.9…".
ACCURACY = re.compile(r"accuracy[:\s]+\d")
# make echoes the command that starts chapter 1 (or pytest): the installs are done by then.
CHAPTER = re.compile(r"python (scripts/ch01|-m pytest)")


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo, or the platform's description."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def load() -> str:
    """The 1-minute load average and the number of CPUs, e.g. '1.52 on 2 CPUs'."""
    return f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"


def timed_make(target: str, cwd: Path, env: dict[str, str], start: float, log: Path) -> dict:
    """Run `make TARGET`, streaming its output to LOG; times are seconds since START."""
    result: dict = {"target": target, "first_accuracy": None, "chapter_starts": None}
    # CPU seconds of make and everything it ran: steadier than wall time on a shared machine.
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with log.open("w") as out:
        proc = subprocess.Popen(
            ["make", target],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
        )
        assert proc.stdout is not None
        for line in proc.stdout:
            now = time.monotonic() - start
            out.write(f"[{now:6.1f} s] {line}")
            if result["chapter_starts"] is None and CHAPTER.search(line):
                result["chapter_starts"] = now
            if result["first_accuracy"] is None and ACCURACY.search(line):
                result["first_accuracy"] = now
        result["status"] = proc.wait()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result["cpu"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    result["done"] = time.monotonic() - start
    result["load_after"] = load()
    return result


def fresh_clone_then_make(target: str, args: argparse.Namespace, work: Path) -> dict:
    """Clone into WORK, then `make TARGET` with empty caches; times from the clone's start."""
    clone = work / "clone"
    env = dict(os.environ)
    # Empty caches of our own: the machine's caches are neither used nor touched.
    env["PIP_CACHE_DIR"] = str(work / "pip-cache")
    env["UV_CACHE_DIR"] = str(work / "uv-cache")
    env["KERAS_HOME"] = str(work / "keras-home")
    env.pop("VIRTUAL_ENV", None)
    load_before = load()
    start = time.monotonic()
    subprocess.run(["git", "clone", "-q", args.repo, str(clone)], check=True)
    if args.commit:
        subprocess.run(["git", "-C", str(clone), "checkout", "-q", args.commit], check=True)
    cloned = time.monotonic() - start
    commit = subprocess.run(
        ["git", "-C", str(clone), "log", "-1", "--format=%h %s"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    print(f"make {target} on {commit[:90]}", flush=True)
    result = timed_make(target, clone, env, start, work / f"make-{target}.log")
    result.update(cloned=cloned, load_before=load_before)
    return result


def seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repo", default=str(ROOT), help="what to clone (default: this checkout)")
    parser.add_argument("--commit", help="check out this commit after cloning")
    parser.add_argument("--test", action="store_true", help="also time `make test` (minutes)")
    parser.add_argument("--keep", action="store_true", help="keep the clone and its logs")
    args = parser.parse_args(argv)

    if not os.environ.get("MNIST_PATH"):
        print("note: MNIST_PATH is not set, so the MNIST download counts in the times")
    work = Path(tempfile.mkdtemp(prefix="install-time-"))
    print(f"machine: {cpu_model()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    results = []
    for target in ["run", "test"] if args.test else ["run"]:
        results.append(fresh_clone_then_make(target, args, work / target))
        if results[-1]["status"] != 0:
            break

    print()
    print(
        "| fresh clone → | status | clone | installed | first accuracy | done | CPU time "
        "| load before → after |"
    )
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |")
    for r in results:
        print(
            f"| make {r['target']} | {r['status']} | {seconds(r['cloned'])} "
            f"| {seconds(r['chapter_starts'])} | {seconds(r['first_accuracy'])} "
            f"| {seconds(r['done'])} | {seconds(r['cpu'])} "
            f"| {r['load_before']} → {r['load_after']} |"
        )
    failed = [r for r in results if r["status"] != 0]
    if args.keep or failed:
        print(f"\nclone and logs kept in {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
