"""Keep TensorFlow's start-up log lines off a learner's screen; errors still show.

Why an import hook: ``TF_CPP_MIN_LOG_LEVEL=2`` hides TensorFlow's INFO and WARNING logs, but only
those written after TensorFlow has read the variable. The lines its C++ libraries print while they
load ("oneDNN custom operations are on", "Could not find cuda drivers", cpu_feature_guard, each
under a note that absl's log is not initialised yet) come before that, straight to file
descriptor 2, where Python's ``sys.stderr`` cannot filter them. So the first ``import tensorflow``
runs with descriptor 2 caught, and what was caught is written back without the log lines below
that level: errors and everything else still show. Every command a learner runs (the chapters,
``make doctor``) calls :func:`install` before anything imports TensorFlow.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.machinery
import os
import re
import sys
import tempfile
from collections.abc import Iterator
from typing import Any

#: absl's log line: severity letter (I, W, E, F = 0..3), date, time, thread, file:line].
_RECORD = re.compile(r"([IWEF])\d{4} [\d:.]+ +\d+ [^ ]+:\d+\] ")
_ABSL_NOTE = "WARNING: All log messages before absl::InitializeLog() is called"
#: The one start-up message that runs on over a second line (cpu_feature_guard, INFO).
_CONTINUATION = "To enable the following instructions:"


def kept(text: str, level: int) -> str:
    """``text`` without the absl log lines (and their notes) below severity ``level``."""
    out, dropping = [], False
    for line in text.splitlines(keepends=True):
        match = _RECORD.match(line)
        if match:
            dropping = "IWEF".index(match.group(1)) < level
        elif line.startswith(_ABSL_NOTE):
            dropping = level > 0
        elif not (dropping and line.startswith(_CONTINUATION)):
            dropping = False
        if not dropping:
            out.append(line)
    return "".join(out)


@contextlib.contextmanager
def _stderr_filtered(level: int) -> Iterator[None]:
    sys.stderr.flush()
    try:
        saved = os.dup(2)
    except OSError:  # no stderr at all (pythonw): nothing to keep quiet
        yield
        return
    with tempfile.TemporaryFile() as caught:
        os.dup2(caught.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            caught.seek(0)
            sys.stderr.write(kept(caught.read().decode(errors="replace"), level))
            sys.stderr.flush()


class _QuietImport(importlib.abc.MetaPathFinder):
    """Finds ``tensorflow`` as usual, and runs its import with stderr filtered, once."""

    def __init__(self, level: int) -> None:
        self.level = level

    def find_spec(
        self, name: str, path: Any = None, target: Any = None
    ) -> importlib.machinery.ModuleSpec | None:
        if name != "tensorflow" or self not in sys.meta_path:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return None
        exec_module = spec.loader.exec_module

        def quiet_exec_module(module: Any) -> None:
            if self in sys.meta_path:
                sys.meta_path.remove(self)
            with _stderr_filtered(self.level):
                exec_module(module)

        spec.loader.exec_module = quiet_exec_module  # type: ignore[method-assign]
        return spec


def install() -> None:
    """Quiet the first ``import tensorflow`` of this process (a no-op once it is imported)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if "tensorflow" in sys.modules or any(isinstance(f, _QuietImport) for f in sys.meta_path):
        return
    try:
        level = int(os.environ["TF_CPP_MIN_LOG_LEVEL"])
    except ValueError:
        level = 0
    sys.meta_path.insert(0, _QuietImport(level))
