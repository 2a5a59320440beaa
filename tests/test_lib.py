"""Modules generated from the chapters' `# @save` cells equal those cells (tools/lib.py)."""

from __future__ import annotations

import importlib.util
import textwrap

import pytest
from helpers import ROOT, SCRIPTS

from keras_tutorial.errors import TutorialError
from tools import lib


def test_generated_modules_are_up_to_date():
    assert lib.stale_modules() == [], "a chapter's # @save cell changed: run `make lib`"


@pytest.mark.parametrize("script", lib.chapters(), ids=lambda p: p.stem)
def test_every_saved_cell_is_in_its_module_as_written(script):
    cells = lib.saved_cells(script)
    path = lib.module_path(script)
    if not cells:
        assert not path.exists()
        return
    module = path.read_text(encoding="utf-8")
    assert f"generated from {script.relative_to(ROOT).as_posix()}" in module
    chapter = script.read_text(encoding="utf-8")
    for cell in cells:
        assert cell.code in module
        assert f"# @save\n{cell.code}" in chapter


@pytest.mark.parametrize("script", sorted(SCRIPTS.glob("ch*.py")), ids=lambda p: p.stem)
def test_chapters_show_code_as_cells_not_as_printed_source(script):
    assert "getsource" not in script.read_text(encoding="utf-8")


def write_chapter(tmp_path, body: str):
    script = tmp_path / "scripts" / "ch09_demo.py"
    script.parent.mkdir()
    script.write_text(textwrap.dedent(body), encoding="utf-8")
    return script


def test_only_marked_cells_are_collected_with_their_section(tmp_path, monkeypatch):
    script = write_chapter(
        tmp_path,
        """\
        # %% [markdown]
        # ## 9.1 First

        # %%
        # @save
        import math

        # %%
        scratch = 1

        # %% [markdown]
        # ## 9.2 Second

        # %%
        # @save
        def double(x):
            return 2 * x
        """,
    )
    monkeypatch.setattr(lib, "ROOT", tmp_path)
    monkeypatch.setattr(lib, "SCRIPTS", tmp_path / "scripts")
    monkeypatch.setattr(lib, "PACKAGE", tmp_path / "pkg")
    assert [(c.number, c.section) for c in lib.saved_cells(script)] == [
        (2, "9.1 First"),
        (5, "9.2 Second"),
    ]
    assert lib.write_all() == [tmp_path / "pkg" / "ch09.py"]
    assert lib.stale_modules() == []
    spec = importlib.util.spec_from_file_location("ch09", tmp_path / "pkg" / "ch09.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.double(21) == 42 and module.math.pi > 3
    assert not hasattr(module, "scratch")
    # Editing the generated file by hand makes it stale; editing the chapter too.
    (tmp_path / "pkg" / "ch09.py").write_text("edited\n", encoding="utf-8")
    assert lib.stale_modules() == [tmp_path / "pkg" / "ch09.py"]


def test_a_marker_that_is_not_the_first_line_is_an_error(tmp_path):
    script = write_chapter(tmp_path, "# %%\nx = 1\n# @save\ny = 2\n")
    with pytest.raises(TutorialError, match="first line"):
        lib.saved_cells(script)


def in_tmp(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(lib, "ROOT", tmp_path)
    monkeypatch.setattr(lib, "SCRIPTS", tmp_path / "scripts")
    monkeypatch.setattr(lib, "PACKAGE", tmp_path / "pkg")
    (tmp_path / "pkg").mkdir()


SAVES = """\
# %% [markdown]
# ## 9.1 First

# %%
x = 1

# %%
# @save
def double(x):
    return 2 * x
"""


def test_back_links_name_the_section_so_moving_a_cell_changes_nothing(tmp_path, monkeypatch):
    in_tmp(monkeypatch, tmp_path)
    script = write_chapter(tmp_path, SAVES)
    before = lib.module_text(script)
    assert "# --- scripts/ch09_demo.py § 9.1 First ---" in before
    # The unmarked cell moves below the saved one: same section, so the same module.
    script.write_text(SAVES.replace("# %%\nx = 1\n\n", "") + "\n# %%\nx = 1\n", encoding="utf-8")
    assert lib.module_text(script) == before


def test_a_chapter_that_saves_nothing_loses_its_module(tmp_path, monkeypatch, capsys):
    in_tmp(monkeypatch, tmp_path)
    script = write_chapter(tmp_path, SAVES)
    lib.write_all()
    module = tmp_path / "pkg" / "ch09.py"
    assert module.exists()
    script.write_text(SAVES.replace("# @save\n", ""), encoding="utf-8")
    assert lib.stale_modules() == [module]
    assert lib.main(["--check"]) == 1 and module.exists()
    assert lib.main([]) == 0
    assert not module.exists()
    assert "deleted pkg/ch09.py" in capsys.readouterr().out
    assert lib.stale_modules() == []


def test_a_module_whose_chapter_is_gone_is_reported_not_deleted(tmp_path, monkeypatch, capsys):
    in_tmp(monkeypatch, tmp_path)
    script = write_chapter(tmp_path, SAVES)
    lib.write_all()
    module = tmp_path / "pkg" / "ch09.py"
    script.unlink()
    # The drift test and make lib agree: stale, and make lib fails without deleting it.
    assert lib.stale_modules() == [module]
    assert lib.main([]) == 1
    assert module.exists()
    assert "pkg/ch09.py" in capsys.readouterr().out
