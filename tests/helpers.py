"""What the tests share: paths, real MNIST, running chapter scripts, learner errors, a lab."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from keras_tutorial import lab, project

PROJECT = project.find(__file__)
ROOT = PROJECT.root
SCRIPTS = PROJECT.scripts
NOTEBOOKS = PROJECT.notebooks
BACKENDS = ("tensorflow", "jax", "torch")
#: Debian's Chromium, which the browser tests drive; its flags keep it off this machine's network
#: (no background requests, updates or sync) and working as root in a container.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

#: Matplotlib's warning for a character its font cannot draw (the figure shows a box).
MISSING_GLYPH = "missing from font"


def real_mnist_path() -> Path | None:
    """The real MNIST file: MNIST_PATH, else the Keras cache a learner's `make run` filled."""
    from keras_tutorial.data import mnist_location

    path = mnist_location().path
    return path if path.is_file() else None


def backend_available(name: str) -> bool:
    module = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}[name]
    import importlib.util

    return importlib.util.find_spec(module) is not None


def run_script(
    script: str | Path,
    *args: str,
    env: dict[str, str | None] | None = None,
    timeout: float = 900,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run a chapter script with this interpreter, as a learner would from a terminal.

    ``env`` adds to this environment; a name given as None is removed from it.
    """
    merged = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    full_env = {name: value for name, value in merged.items() if value is not None}
    path = Path(script)
    if not path.is_absolute():
        path = SCRIPTS / path
    result = subprocess.run(
        [sys.executable, str(path), *args],
        env=full_env,
        cwd=cwd or ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    # Every terminal run in the suite also checks that no figure lost a character to a font.
    assert MISSING_GLYPH not in result.stderr, result.stderr
    return result


def hint_of(exercise: str, answer: object, capsys: pytest.CaptureFixture[str]) -> str:
    """Check a wrong ``answer``: False, a ✗ line with a hint, neither a traceback nor a crash."""
    from keras_tutorial.exercises import check

    assert check(exercise, answer) is False
    out = capsys.readouterr().out
    assert out.startswith(f"✗ {exercise}: "), out
    assert "Traceback" not in out and "检查时出错" not in out, out
    return out


def assert_clean_error(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    """A learner's error: non-zero exit, 中文 and English message, no traceback."""
    assert result.returncode != 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert "错误" in result.stderr and "Error" in result.stderr, result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr


def assert_figures(out: Path, names: list[str]) -> None:
    """``out`` holds exactly the figures ``names``, each a readable image over 100×100 pixels."""
    import matplotlib.image

    for name in names:
        image = matplotlib.image.imread(out / name)
        assert image.shape[0] > 100 and image.shape[1] > 100, name
    assert sorted(p.name for p in out.iterdir()) == sorted(names)  # no temporary files left


# --- JupyterLab (make lab) -------------------------------------------------------------------

STARTUP_TIMEOUT_S = 180


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def isolated_jupyter_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment with Jupyter's config, data and settings folders under ``home``.

    The user's own Jupyter settings (a password, a saved workspace, extra kernels) must not
    change what the tests see; JupyterLab's news prompt is turned off so that it covers nothing.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER")}
    dirs = {
        "JUPYTER_CONFIG_DIR": home / "config",
        "JUPYTER_DATA_DIR": home / "data",
        "JUPYTER_RUNTIME_DIR": home / "runtime",
        "JUPYTERLAB_SETTINGS_DIR": home / "lab-settings",
        "JUPYTERLAB_WORKSPACES_DIR": home / "lab-workspaces",
        "IPYTHONDIR": home / "ipython",
    }
    for name, path in dirs.items():
        path.mkdir(parents=True, exist_ok=True)
        env[name] = str(path)
    news = dirs["JUPYTERLAB_SETTINGS_DIR"] / "@jupyterlab" / "apputils-extension"
    news.mkdir(parents=True)
    (news / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


@contextlib.contextmanager
def running_lab(
    root_dir: Path, env: dict[str, str], log: Path, token: str = "test-token-5f2c"
) -> Iterator[tuple[int, str]]:
    """Start ``python -m keras_tutorial.lab`` on a free port; yield (port, token); stop it."""
    port = free_port()
    command = [sys.executable, "-m", "keras_tutorial.lab"]
    command += ["--port", str(port), "--token", token, "--dir", str(root_dir), "--no-browser"]
    with open(log, "w") as out:
        # Its own session, so that a last-resort kill reaches the server behind lab.py too.
        proc = subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        # Ready for a learner once lab.py has checked the server and printed the URL (it polls
        # the server itself, so the server answering first is not enough).
        url = lab.lab_url("127.0.0.1", port, token)
        while url not in log.read_text():
            assert proc.poll() is None, f"lab exited with {proc.returncode}:\n{log.read_text()}"
            assert time.monotonic() < deadline, f"no banner for port {port}:\n{log.read_text()}"
            time.sleep(0.5)
        assert lab.server_status("127.0.0.1", port, token) == 200
        yield port, token
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
