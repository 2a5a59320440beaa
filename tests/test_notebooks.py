"""Every chapter notebook is its script, committed with outputs, and executes headless."""

from __future__ import annotations

import nbformat
import pytest
from helpers import NOTEBOOKS, SCRIPTS

from keras_tutorial import notebooks

CHAPTERS = sorted(SCRIPTS.glob("ch[0-9][0-9]_*.py"))


def code_sources(nb: nbformat.NotebookNode) -> list[str]:
    return [cell.source for cell in nb.cells if cell.cell_type == "code"]


def test_there_are_chapters():
    assert [p.stem[:4] for p in CHAPTERS][:1] == ["ch01"]


@pytest.fixture(params=CHAPTERS, ids=lambda p: p.stem)
def chapter(request):
    return request.param


def test_notebook_code_equals_script(chapter):
    committed = nbformat.read(NOTEBOOKS / f"{chapter.stem}.ipynb", as_version=4)
    generated = notebooks.script_to_notebook(chapter)
    assert code_sources(committed) == code_sources(generated)
    markdown = [c.source for c in committed.cells if c.cell_type == "markdown"]
    assert markdown == [c.source for c in generated.cells if c.cell_type == "markdown"]
    # Rebuilt from an unchanged script, a notebook keeps its cell ids (clean diffs).
    assert [c.id for c in committed.cells] == [c.id for c in generated.cells]
    assert [c.id for c in generated.cells] == [
        c.id for c in notebooks.script_to_notebook(chapter).cells
    ]


def test_committed_notebook_shows_one_clean_run(chapter):
    nb = nbformat.read(NOTEBOOKS / f"{chapter.stem}.ipynb", as_version=4)
    cells = [cell for cell in nb.cells if cell.cell_type == "code"]
    # Executed once, top to bottom, without errors.
    assert [cell.execution_count for cell in cells] == list(range(1, len(cells) + 1))
    outputs = [out for cell in cells for out in cell.outputs]
    assert not [out for out in outputs if out.output_type == "error"]
    assert any("image/png" in out.get("data", {}) for out in outputs), "no figure shown"
    text = "".join(out.get("text", "") for out in outputs)
    assert "quick=True" not in text, "committed notebook was run in quick mode"
    assert "\r" not in text and "\b" not in text  # progress bars are rendered, not raw frames
    structure = [c.source.splitlines()[0] for c in nb.cells if c.cell_type == "markdown"]
    assert "## 小结" in structure and "## 练习" in structure


def test_notebook_executes_headless(chapter, tmp_path, monkeypatch, request):
    if "load_mnist" in chapter.read_text(encoding="utf-8"):
        monkeypatch.setenv("MNIST_PATH", str(request.getfixturevalue("mnist_path")))
    monkeypatch.setenv("KERAS_TUTORIAL_QUICK", "1")
    dest = tmp_path / f"{chapter.stem}.ipynb"
    notebooks.build(chapter, dest)
    nb = nbformat.read(dest, as_version=4)
    outputs = [out for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs]
    assert any("image/png" in out.get("data", {}) for out in outputs)
    assert (tmp_path / "outputs").is_dir()  # figures were also saved beside the notebook


def test_render_terminal_text():
    assert notebooks.render_terminal_text("1/3 ..\r2/3 ...\r3/3 done\nnext") == "3/3 done\nnext"
    assert notebooks.render_terminal_text("abcd\b\bXY") == "abXY"
