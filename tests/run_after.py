"""Wait for one shared run to end, then become the next: two runs in a row in one lane.

``python tests/run_after.py FOLDER COMMAND...`` waits until ``FOLDER/status`` exists, or until the
process named in ``FOLDER/claim`` has ended without writing it (it crashed or was stopped), then
replaces itself with ``COMMAND``: the same process, so that the claim of the run it starts names
it from the beginning (tests/shared_runs.py).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path


def ended(pid: int) -> bool:
    """Whether process ``pid`` has exited (a zombie waiting for its parent counts as exited)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    except OSError:  # no /proc: ask the kernel
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        return False
    return state == "Z"


def wait_for(folder: Path) -> None:
    while not (folder / "status").exists():
        claim = folder / "claim"
        pid = claim.read_text() if claim.exists() else ""
        if pid and ended(int(pid)) and not (folder / "status").exists():
            return
        time.sleep(0.5)


if __name__ == "__main__":
    wait_for(Path(sys.argv[1]))
    os.execv(sys.argv[2], sys.argv[2:])
