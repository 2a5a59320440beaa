"""quick_exit: a chapter or the doctor ends without the collector's pass over every object."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from helpers import ROOT

# An exit function registered before the command's set-up runs after quick_exit's (last in,
# first out): it sees what the process looks like while Python tears it down.
SEEN_AT_EXIT = textwrap.dedent(
    """
    import atexit, gc, sys
    atexit.register(lambda: print("frozen at exit:", gc.get_freeze_count() > 0, flush=True))
    left_open = open(sys.argv[1], "w", encoding="utf-8")  # never closed: exit must flush it
    left_open.write("写完了 / written")
    """
)
COMMANDS = {
    "chapter": "from keras_tutorial.settings import start_chapter\n"
    "start_chapter('测试 / test', argv=[])\n",
    # The doctor stops at once here (its backend cannot be imported): set-up comes first.
    "doctor": "sys.modules['tensorflow'] = None\n"
    "from keras_tutorial import doctor\n"
    "doctor.main([])\n",
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_command_exits_with_every_object_frozen_and_its_files_written(command, tmp_path):
    written = tmp_path / "left-open.txt"
    result = subprocess.run(
        [sys.executable, "-c", SEEN_AT_EXIT + COMMANDS[command], str(written)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        # A bare environment: no GPU tools on PATH, a home of its own for the doctor's caches.
        env={"KERAS_BACKEND": "tensorflow", "PATH": "", "HOME": str(tmp_path)},
        timeout=120,
    )
    assert "frozen at exit: True" in result.stdout, result.stdout + result.stderr
    assert written.read_text(encoding="utf-8") == "写完了 / written"


def test_without_the_set_up_nothing_is_frozen(tmp_path):
    """The check above can fail: a plain Python exits with the collector as it was."""
    written = tmp_path / "left-open.txt"
    result = subprocess.run(
        [sys.executable, "-c", SEEN_AT_EXIT, str(written)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "frozen at exit: False" in result.stdout, result.stdout + result.stderr
