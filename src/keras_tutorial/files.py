"""Writing files so that a failure never leaves a half-written one behind."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from keras_tutorial.errors import TutorialError


@contextmanager
def atomic_path(dest: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``dest`` that replaces ``dest`` only if the block succeeds."""
    dest = Path(dest)
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{dest.stem}.", suffix=dest.suffix, dir=dest.parent)
        os.close(fd)
    except OSError as exc:
        raise _cannot_write(dest, exc) from None
    tmp = Path(name)
    try:
        yield tmp
        # mkstemp creates the file 0600; give it the permissions of any new file.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, dest)
    except OSError as exc:
        raise _cannot_write(dest, exc) from None
    finally:
        tmp.unlink(missing_ok=True)


def _cannot_write(dest: Path, exc: OSError) -> TutorialError:
    return TutorialError(
        f"无法写入文件 {dest}（{exc.strerror or exc}）。"
        "请检查磁盘空间和目录权限，或用 --out 换个目录。",
        f"cannot write {dest} ({exc.strerror or exc}). Check disk space and permissions, "
        "or choose another folder with --out.",
    )
