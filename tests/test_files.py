"""files.atomic_path: a write that fails half way leaves neither half a file nor a temporary one."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from keras_tutorial.errors import TutorialError
from keras_tutorial.files import atomic_path

HALF = b"first half of the new content, "
OLD = b"the old content, which must survive a failed write"


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_a_new_file_appears_whole_with_ordinary_permissions(tmp_path, umask_022):
    dest = tmp_path / "sub" / "model.keras"
    with atomic_path(dest) as tmp:
        assert tmp.parent == dest.parent  # same folder, same file system: the rename is atomic
        assert tmp != dest and not dest.exists()
        tmp.write_bytes(HALF + b"second half")
    assert dest.read_bytes() == HALF + b"second half"
    assert listing(dest.parent) == ["model.keras"]
    assert dest.stat().st_mode & 0o777 == 0o644  # not mkstemp's 0600


def test_an_existing_file_is_replaced(tmp_path):
    dest = tmp_path / "figure.png"
    dest.write_bytes(OLD)
    with atomic_path(dest) as tmp:
        tmp.write_bytes(b"new")
        assert dest.read_bytes() == OLD  # untouched until the block succeeds
    assert dest.read_bytes() == b"new"
    assert listing(tmp_path) == ["figure.png"]


class Interrupted(Exception):
    """Stands for whatever stops a writer half way: a bug, Ctrl-C, a killed kernel."""


@pytest.mark.parametrize("existing", [False, True], ids=["new-destination", "existing-destination"])
def test_a_write_that_fails_half_way_leaves_no_trace(tmp_path, existing):
    dest = tmp_path / "results.md"
    if existing:
        dest.write_bytes(OLD)
    with pytest.raises(Interrupted), atomic_path(dest) as tmp, open(tmp, "wb") as out:
        out.write(HALF)
        out.flush()
        assert tmp.read_bytes() == HALF  # half the file really is on disk
        raise Interrupted
    assert listing(tmp_path) == (["results.md"] if existing else [])  # temporary file gone
    if existing:
        assert dest.read_bytes() == OLD


@pytest.mark.parametrize("existing", [False, True], ids=["new-destination", "existing-destination"])
def test_a_full_disk_half_way_is_a_learner_error(tmp_path, existing):
    dest = tmp_path / "chart.png"
    if existing:
        dest.write_bytes(OLD)
    with pytest.raises(TutorialError) as info, atomic_path(dest) as tmp:
        tmp.write_bytes(HALF)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    assert str(dest) in info.value.zh and str(dest) in info.value.en
    assert os.strerror(errno.ENOSPC) in info.value.en and "--out" in info.value.en
    assert listing(tmp_path) == (["chart.png"] if existing else [])
    if existing:
        assert dest.read_bytes() == OLD


def test_a_failed_replace_removes_the_temporary_file(tmp_path):
    dest = tmp_path / "taken"
    dest.mkdir()  # a folder where the file should go: os.replace fails after the write
    (dest / "inside").write_bytes(OLD)
    with pytest.raises(TutorialError), atomic_path(dest) as tmp:
        tmp.write_bytes(HALF)
    assert listing(tmp_path) == ["taken"]
    assert (dest / "inside").read_bytes() == OLD


def test_a_folder_that_cannot_be_made_is_a_learner_error(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_bytes(OLD)
    with pytest.raises(TutorialError) as info, atomic_path(blocker / "out" / "x.png"):
        pytest.fail("the block must not run when no temporary file could be made")
    assert "无法写入文件" in info.value.zh and "cannot write" in info.value.en
    assert listing(tmp_path) == ["a-file"] and blocker.read_bytes() == OLD
