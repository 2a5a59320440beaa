"""Every chapter and answers script run once per backend, in quick mode, shared by all the tests.

TensorFlow, the default backend, runs them as a learner's Jupyter does (tests/run_notebooks.py:
each notebook in a fresh kernel); JAX and PyTorch as a learner's terminal does
(tests/run_in_one_process.py: all scripts in one process, the backend imported once). Chapter 1's
one full training (all of MNIST, as ``make run`` runs it) is a shared run too. They start in the
background as soon as a session holds a test that reads them, in two lanes (``start_all``), and
every test of every pytest-xdist worker reads the same results: the first process to claim a
run's folder (an exclusive create) starts it, the others wait for its ``status`` file. The
session's main process stops whatever is still running when the session ends.

Tests read what a script computed (its globals, see tests/probe.py), its exit status, the
``Model.fit`` calls it made, its printed text and its figures, never the wording it prints.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from helpers import PROJECT, ROOT, backend_available
from run_after import ended

TESTS = Path(__file__).parent
#: How long a reader waits for a backend's run (all scripts, on a busy 2-core machine).
WAIT_S = 1500


def _sets_up_devices_first(script: Path) -> bool:
    # The appendix must start its process: JAX reads its device count on its first import.
    return "XLA_FLAGS" not in script.read_text(encoding="utf-8")


SCRIPTS = sorted(PROJECT.all_scripts(), key=_sets_up_devices_first)
STEMS = [script.stem for script in SCRIPTS]
#: The folder of chapter 1's full run, beside the backends' folders.
FULL = "full"
FULL_SCRIPT = PROJECT.scripts / "ch01_mnist_dense.py"


def _backend_of(run: str) -> str:
    """The backend a shared run uses: its own name, or TensorFlow (the default) for the full run."""
    return "tensorflow" if run == FULL else run


@dataclass
class ScriptRun:
    """One script's run under one backend."""

    backend: str
    stem: str
    status: int
    text: str  # what it printed (a notebook: every cell's text output, in order)
    values: dict  # its globals, as tests/probe.py reads them
    out: Path  # the folder its figures were saved in
    fits: list | None = None  # epochs of each Model.fit (terminal runs only)
    notebook: Path | None = None  # the executed notebook (TensorFlow's runs)
    log: str = field(default="", repr=False)  # the run's stderr, for messages


class SharedRuns:
    """The shared runs under ``root``, one folder each (a backend's name, or FULL)."""

    def __init__(self, root: Path, mnist_path: Path) -> None:
        self.root = root
        self.mnist_path = mnist_path

    def _command(self, run: str, folder: Path) -> tuple[list[str], dict[str, str]]:
        env = {**os.environ, "MNIST_PATH": str(self.mnist_path), "PYTHONUNBUFFERED": "1"}
        if run == FULL:
            # A learner's shell: no log level and no backend chosen, so TensorFlow's own
            # defaults apply; no flags.
            for name in ("KERAS_BACKEND", "TF_CPP_MIN_LOG_LEVEL", "MPLBACKEND"):
                env.pop(name, None)
            runner = TESTS / "run_in_one_process.py"
            return [sys.executable, str(runner), str(folder), str(FULL_SCRIPT), "--"], env
        env.update(KERAS_BACKEND=run, MPLBACKEND="Agg")
        scripts = [str(script) for script in SCRIPTS]
        if run == "tensorflow":
            env["KERAS_TUTORIAL_QUICK"] = "1"
            return [sys.executable, str(TESTS / "run_notebooks.py"), str(folder), *scripts], env
        return [sys.executable, str(TESTS / "run_in_one_process.py"), str(folder), *scripts], env

    def start(self, run: str, after: str | None = None) -> None:
        """Start shared run ``run`` (a backend, or FULL) unless a process of this session has.

        With ``after``, the run waits for that run to end first (tests/run_after.py).
        """
        folder = self.root / run
        folder.mkdir(parents=True, exist_ok=True)
        try:
            claim = os.open(folder / "claim", os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            return
        command, env = self._command(run, folder)
        if after is not None:
            waiter = [sys.executable, str(TESTS / "run_after.py"), str(self.root / after)]
            command = [*waiter, *command]
        with open(folder / "stdout.txt", "w") as out, open(folder / "stderr.txt", "w") as err:
            # Its own process group, so that stopping it stops a notebook's kernel too.
            proc = subprocess.Popen(
                command, env=env, cwd=ROOT, stdout=out, stderr=err, start_new_session=True
            )
        os.write(claim, str(proc.pid).encode())
        os.close(claim)

    def start_all(self, full: bool = True) -> None:
        """Start every backend's run, and chapter 1's full run when ``full``."""
        # Two lanes, so that the machine runs about four processes at once (the two workers and
        # one run in each lane) rather than six, which made every one of them slower: chapter 1's
        # full run, then PyTorch's, then JAX's; beside them TensorFlow's notebooks.
        previous = None
        for run in (FULL, "torch", "jax") if full else ("torch", "jax"):
            if backend_available(_backend_of(run)):
                self.start(run, after=previous)
                previous = run
        if backend_available("tensorflow"):
            self.start("tensorflow")

    def _wait(self, run: str) -> Path:
        folder = self.root / run
        self.start(run)
        deadline = time.monotonic() + WAIT_S
        while not (folder / "status").exists():
            pid = (folder / "claim").read_text()
            if pid and not _alive(int(pid)) and not (folder / "status").exists():
                pytest.fail(f"{run}'s run died:\n{_tail(folder / 'stderr.txt')}")
            if time.monotonic() > deadline:
                pytest.fail(f"{run}'s run took over {WAIT_S} s:\n{_tail(folder / 'stderr.txt')}")
            time.sleep(0.2)
        return folder

    def script(self, run: str, stem: str) -> ScriptRun:
        """``stem``'s part of shared run ``run`` (a backend, or FULL), once that run has ended."""
        backend = _backend_of(run)
        if not backend_available(backend):
            pytest.skip(f"{backend} is not installed (pip install -e '.[jax,torch]')")
        folder = self._wait(run)
        report = (
            json.loads((folder / "report.json").read_text())
            if (folder / "report.json").exists()
            else {}
        )
        log = _tail(folder / "stderr.txt", 6000)
        assert stem in report, f"{stem} did not run under {backend}:\n{log}"
        entry = report[stem]
        if run == "tensorflow":
            notebook = folder / f"{stem}.ipynb"
            text = _notebook_text(notebook)
            return ScriptRun(
                backend,
                stem,
                entry["status"],
                text,
                entry["values"],
                folder / stem / "outputs",
                notebook=notebook,
                log=entry.get("error", "") + log,
            )
        return terminal_runs(backend, folder, (folder / "stdout.txt").read_text(), log)[stem]

    def full_run(self) -> ScriptRun:
        """Chapter 1's run on all of MNIST, with no flags, in a learner's shell."""
        return self.script(FULL, FULL_SCRIPT.stem)

    def stop_all(self) -> None:
        """Stop every run still going (the session is over: nothing will read it)."""
        for claim in self.root.glob("*/claim"):
            pid = claim.read_text()
            if pid and _alive(int(pid)):
                os.killpg(int(pid), signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        waited, _ = os.waitpid(pid, os.WNOHANG)  # reaps it when this process started it
    except ChildProcessError:  # another process's child
        waited = 0
    return not waited and not ended(pid)


def _tail(path: Path, size: int = 3000) -> str:
    return path.read_text()[-size:] if path.exists() else ""


def _notebook_text(path: Path) -> str:
    import nbformat

    if not path.exists():
        return ""
    nb = nbformat.read(path, as_version=4)
    return "".join(
        output.get("text", "")
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
    )


def shared_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder every xdist worker of this session sees (a worker's basetemp is inside it)."""
    base = tmp_path_factory.getbasetemp()
    return (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "shared-runs"


def run_in_terminal(
    scripts: list[Path], folder: Path, *args: str, env: dict[str, str | None] | None = None
) -> dict[str, ScriptRun]:
    """Run ``scripts`` now, one after another in one process, with ``args`` (not shared).

    ``env`` adds to this environment; a name given as None is removed from it.
    """
    merged = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    full_env = {name: value for name, value in merged.items() if value is not None}
    command = [sys.executable, str(TESTS / "run_in_one_process.py"), str(folder)]
    folder.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [*command, *map(str, scripts), "--", *args],
        env=full_env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=WAIT_S,
    )
    backend = full_env.get("KERAS_BACKEND", "tensorflow")
    return terminal_runs(backend, folder, result.stdout, result.stderr)


def terminal_runs(backend: str, folder: Path, stdout: str, log: str) -> dict[str, ScriptRun]:
    """The scripts tests/run_in_one_process.py ran into ``folder``, from its report and stdout."""
    report = json.loads((folder / "report.json").read_text())
    sections = dict(re.findall(r"^@@@ BEGIN (\S+)\n(.*?)^@@@ END \1$", stdout, re.M | re.S))
    return {
        stem: ScriptRun(
            backend,
            stem,
            entry["status"],
            sections.get(stem, ""),
            entry["values"],
            folder / stem,
            fits=entry["fits"],
            log=log,
        )
        for stem, entry in report.items()
    }
